"""Nightly drift: does a deployed environment still match what it should run? Five rows, each ok, drift, or
"not verifiable on this target" (never ok when nothing was checked):

- stack: main's synthesized template (`--synth`, the nightly's `dagger call synth` of main) against the live
  template, as the prod change-set summary computes it (release.approvals.summarize): the `cdk diff` without
  deploying; without a synth, the template of the artifact the stack says it runs (its digest tag);
- monitoring: the same diff narrowed to what alerts (alarms, the canary's schedule, the alerts topic, the
  budget), so a silenced alarm is named as such;
- openapi: the contract the environment runs (the artifact's openapi.json) against the tree's committed
  docs/specs/openapi.json: what main promises clients that the environment does not serve yet (or any more);
- coverage: this run's total line coverage (coverage.xml) against the last main run's, kept in the store
  (`careervp-ci coverage-baseline`); a drop of more than COVERAGE_TOLERANCE points is drift;
- cost: the environment's budget (actual and forecast spend against its limit) and the cost-per-request
  metric the functions emit (last day against the week before); the emulator has neither.

The report and its Markdown are `drift_table`'s; the command prints it for $GITHUB_STEP_SUMMARY (and posts it
to Slack with $SLACK_WEBHOOK set) and exits 1 when any row is drift.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from careervp_ci.release.drift_table import NOT_VERIFIABLE, Row, Status

# Re-exported, where the service and the command line import them from:
from careervp_ci.release.drift_table import DriftReport as DriftReport  # noqa: PLC0414
from careervp_ci.release.drift_table import post_to_slack as post_to_slack  # noqa: PLC0414
from careervp_ci.release.store import Backend

COVERAGE_KEY = "coverage/main.json"
COVERAGE_TOLERANCE = 1.0
"""Percentage points of total line coverage a run may lose against main before it is drift."""
COST_TOLERANCE = 0.2
"""A cost per request more than 20% above the week before is drift."""


# -- the rows -----------------------------------------------------------------------------------------------


MAIN = "main's synthesized template"
ARTIFACT = "the template of the artifact it says it runs"


def stack_row(added: list[str], changed: list[str], removed: list[str], against: str = MAIN) -> Row:
    """The live stack against `against`: main's synth (what the next deploy would change), or the artifact's
    template when no synth was given (what changed behind the release's back)."""
    if not (added or changed or removed):
        return Row("stack", "ok", f"live template matches {against}")
    parts = [
        f"{label}: {', '.join(ids)}"
        for label, ids in (("added", added), ("changed", changed), ("removed", removed))
        if ids
    ]
    return Row("stack", "drift", f"live stack differs from {against}; " + "; ".join(parts))


MONITORING_TYPES = frozenset(
    {"AWS::CloudWatch::Alarm", "AWS::Events::Rule", "AWS::SNS::Topic", "AWS::Budgets::Budget"}
)


def monitoring_row(new: dict[str, Any], old: dict[str, Any] | None) -> Row:
    """The artifact's alarms, schedules, alert topic and budget against the live stack's."""
    if old is None:
        return Row("monitoring", NOT_VERIFIABLE, "the environment has no live stack to compare")

    def alerting(template: dict[str, Any]) -> dict[str, Any]:
        resources: dict[str, Any] = template.get("Resources", {})
        return {key: value for key, value in resources.items() if value.get("Type") in MONITORING_TYPES}

    wanted, live = alerting(new), alerting(old)
    differing = sorted(key for key in wanted.keys() | live.keys() if wanted.get(key) != live.get(key))
    if differing:
        return Row("monitoring", "drift", f"differs from the artifact: {', '.join(differing)}")
    return Row("monitoring", "ok", f"{len(wanted)} alarms, schedules and alert targets match the artifact's")


def _operations(spec: dict[str, Any]) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, item in spec.get("paths", {}).items()
        for method in item
        if method in {"get", "put", "post", "delete", "patch", "head", "options"}
    }


def openapi_row(deployed: dict[str, Any] | None, committed: dict[str, Any] | None) -> Row:
    if deployed is None or committed is None:
        missing = "the artifact has no openapi.json" if deployed is None else "the tree has no committed spec"
        return Row("openapi", NOT_VERIFIABLE, missing)
    if deployed == committed:
        return Row("openapi", "ok", "the deployed contract is the committed one")
    deployed_ops, committed_ops = _operations(deployed), _operations(committed)
    notes = []
    if committed_ops - deployed_ops:
        notes.append(f"not deployed yet: {', '.join(sorted(committed_ops - deployed_ops))}")
    if deployed_ops - committed_ops:
        notes.append(f"deployed but gone from the spec: {', '.join(sorted(deployed_ops - committed_ops))}")
    if not notes:
        notes.append("same operations, different schemas or metadata")
    return Row("openapi", "drift", "; ".join(notes))


def line_rate(coverage_xml: Path) -> float:
    """Total line coverage in percent from a Cobertura report (coverage.py's `coverage xml`)."""
    root = ET.parse(coverage_xml).getroot()  # noqa: S314 (a report this pipeline wrote)
    return round(float(root.attrib["line-rate"]) * 100, 2)


def coverage_row(current: float | None, baseline: dict[str, Any] | None) -> Row:
    if current is None:
        return Row("coverage", NOT_VERIFIABLE, "no coverage report for this run (--coverage FILE)")
    if baseline is None:
        return Row(
            "coverage",
            NOT_VERIFIABLE,
            f"{current:.2f}% now; no main baseline in the store (coverage-baseline)",
        )
    was = float(baseline["percent"])
    delta = current - was
    status: Status = "drift" if delta < -COVERAGE_TOLERANCE else "ok"
    return Row(
        "coverage", status, f"{current:.2f}% vs {was:.2f}% on main ({baseline.get('commit', '?')[:12]})"
    )


def read_baseline(backend: Backend) -> dict[str, Any] | None:
    data = backend.read(COVERAGE_KEY)
    return json.loads(data) if data else None


def write_baseline(backend: Backend, coverage_xml: Path, commit: str) -> dict[str, Any]:
    record = {
        "percent": line_rate(coverage_xml),
        "commit": commit,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    backend.write(COVERAGE_KEY, json.dumps(record, indent=2).encode())
    return record


def cost_row(kind: str, budget: dict[str, Any] | None, per_request: tuple[float, float] | None) -> Row:
    """`budget`: describe_budget's Budget; `per_request`: (last day, week before) mean micro-USD."""
    if kind != "aws":
        return Row("cost", NOT_VERIFIABLE, "the emulator has no billing, budgets or Lambda metrics")
    notes, drifted = [], False
    if budget is None:
        notes.append("no budget found for the environment")
        drifted = True
    else:
        limit = float(budget["BudgetLimit"]["Amount"])
        spend = budget.get("CalculatedSpend", {})
        actual = float(spend.get("ActualSpend", {}).get("Amount", 0))
        forecast = float(spend.get("ForecastedSpend", {}).get("Amount", actual))
        notes.append(f"budget {actual:.2f} spent, {forecast:.2f} forecast of {limit:.2f} USD")
        drifted |= forecast > limit
    if per_request is None:
        notes.append("no cost-per-request data points in the last 8 days")
    else:
        recent, before = per_request
        notes.append(f"cost per request {recent:.3f} µUSD (week before {before:.3f})")
        drifted |= before > 0 and recent > before * (1 + COST_TOLERANCE)
    if budget is None and per_request is None:
        return Row("cost", NOT_VERIFIABLE, "; ".join(notes))
    return Row("cost", "drift" if drifted else "ok", "; ".join(notes))


# -- reading AWS --------------------------------------------------------------------------------------------


def read_budget(client: Any, account: str, name: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = client.describe_budget(AccountId=account, BudgetName=name)["Budget"]
    except client.exceptions.NotFoundException:
        return None
    return found


def read_cost_per_request(client: Any, namespace: str, now: dt.datetime) -> tuple[float, float] | None:
    def mean(start: dt.datetime, end: dt.datetime) -> float | None:
        points = client.get_metric_statistics(
            Namespace=namespace,
            MetricName="EstimatedCostPerRequestMicroUsd",
            StartTime=start,
            EndTime=end,
            Period=86400,
            Statistics=["Average"],
        )["Datapoints"]
        values = [float(p["Average"]) for p in points]
        return sum(values) / len(values) if values else None

    recent = mean(now - dt.timedelta(days=1), now)
    before = mean(now - dt.timedelta(days=8), now - dt.timedelta(days=1))
    return None if recent is None or before is None else (recent, before)
