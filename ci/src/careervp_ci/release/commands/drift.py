"""`drift`: compare a deployed environment with what it should run (stack, monitoring, API contract,
coverage, cost; release.drift) and print the table; exit 1 when any row drifted."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from careervp.resources import METRICS_NAMESPACE
from careervp_infra.naming import Service, physical_name

from careervp_ci.release import drift as drifts
from careervp_ci.release.approvals import summarize
from careervp_ci.release.artifact import parse_digest
from careervp_ci.release.cloudformation import StackFiles, deployed_template
from careervp_ci.release.commands.options import Subparsers, add_store, optional_path
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseFailed, doing
from careervp_ci.release.session import live, open_session
from careervp_ci.release.store import StoreError


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "drift",
        help="compare a deployed environment with what it should run: stack, API contract, coverage, cost",
    )
    parser.add_argument("--env", required=True)
    add_store(parser)
    parser.add_argument(
        "--coverage", help="this run's coverage.xml, compared with main's baseline in the store"
    )
    parser.add_argument("--out", help="also write the Markdown table to this file")
    parser.add_argument(
        "--synth",
        help="main's synthesized cloud assembly (cdk.out): the stack row compares it with the live stack",
    )


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    report = drift(release, args.env, optional_path(args.coverage), optional_path(args.synth))
    table = report.markdown()
    if args.out:
        Path(args.out).write_text(table, encoding="utf-8")
    print(table)
    drifts.post_to_slack(table, release.log)
    if report.drifted:
        drifted = ", ".join(row.check for row in report.rows if row.status == "drift")
        raise ReleaseFailed(f"{args.env} has drifted: {drifted} (the table above says how)")


def drift(
    release: ReleaseContext, env: str, coverage: Path | None = None, synth: Path | None = None
) -> drifts.DriftReport:
    """The five rows for `env`; the stack row compares with main's synth when given, else with the template
    of the artifact the stack says it runs."""
    target = release.target_for(env)
    release.require_persistent(target, "drift")
    release.require_credentials(target)
    budget: dict[str, Any] | None = None
    per_request: tuple[float, float] | None = None
    with open_session(target) as session:
        running = live(target, session)
        digest = parse_digest(running.digest)
        with release.unpacked(digest, code=False) as (bundle, _):
            new = StackFiles.find(bundle / "assembly", target.stack_name).template_dict()
            spec = bundle / "openapi.json"
            deployed_spec = json.loads(spec.read_text(encoding="utf-8")) if spec.is_file() else None
        old = deployed_template(session, target.stack_name)
        if target.kind == "aws":
            budget_name = physical_name(target.stack_env, "service", "budget", service=Service.BUDGET)
            budget = drifts.read_budget(session.client("budgets"), session.resolve_account(), budget_name)
            per_request = drifts.read_cost_per_request(
                session.client("cloudwatch"), METRICS_NAMESPACE, datetime.now(UTC)
            )
    against = drifts.ARTIFACT
    if synth is not None:
        new, against = StackFiles.find(synth, target.stack_name).template_dict(), drifts.MAIN
    summary = summarize(env, digest, target.stack_name, new=new, old=old, baseline=running.digest)
    committed = release.repo / "docs" / "specs" / "openapi.json"
    committed_spec = json.loads(committed.read_text(encoding="utf-8")) if committed.is_file() else None
    with doing(f"could not read the coverage baseline from {release.store.uri}", StoreError):
        baseline = drifts.read_baseline(release.store.backend)
    rows = (
        drifts.stack_row(summary.added, summary.changed, summary.removed, against),
        drifts.monitoring_row(new, old),
        drifts.openapi_row(deployed_spec, committed_spec),
        drifts.coverage_row(drifts.line_rate(coverage) if coverage else None, baseline),
        drifts.cost_row(target.kind, budget, per_request),
    )
    return drifts.DriftReport(env, str(digest), rows)
