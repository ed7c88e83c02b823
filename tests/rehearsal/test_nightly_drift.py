"""The nightly's drift runs whatever the quality gate says: with the gate failing, every deployed
environment's drift still runs and hands its table on, and one report gets every table and the Slack webhook
(one post, one summary); the research smoke runs against dev. The real nightly-maintenance.yml, a `dagger`
that records its calls."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.rehearsal.workflow import Event
from support.planted_workflows import rehearse

GATE_FAILS = """#!/bin/sh
# `ci` is the quality gate, failing tonight; every other call records itself (and whether Slack's webhook
# reached its environment) and prints a drift table.
if [ "$2" = ci ]; then echo "coverage below the floor"; exit 1; fi
case " $* " in *" --step synth "*) mkdir -p cdk.out && echo '{}' > cdk.out/manifest.json ;; esac
echo "$* | slack=${SLACK_WEBHOOK:+set}" >> CALLS
if [ "$2" = drift-table ]; then echo "tables: $(cat drift/*.md | tr '\n' ' ')" >> CALLS; fi
echo "table of $DRIFT_ENV"
"""
ROLES = {
    "AWS_ROLE_DEV": "arn:aws:iam::123456789012:role/dev",
    "AWS_ROLE_STAGE": "arn:aws:iam::123456789012:role/stage",
    "AWS_ROLE_PROD_READONLY": "arn:aws:iam::123456789012:role/prod-readonly",
    "SLACK_WEBHOOK": "https://hooks.slack.invalid/planted",
}
SECRETS = {
    **ROLES,
    **{name: f"planted-{name.lower()}" for name in ("STRIPE_WEBHOOK_SECRET", "CODECOV_TOKEN")},
}
VARIABLES = {"AWS_REGION": "us-east-1", "CAREERVP_ARTIFACT_STORE": "s3://planted/releases"}
STORE_AND_CREDENTIALS = (
    "release --store s3://planted/releases --aws-access-key-id env:AWS_ACCESS_KEY_ID "
    "--aws-secret-access-key env:AWS_SECRET_ACCESS_KEY --aws-session-token env:AWS_SESSION_TOKEN "
    "--aws-region us-east-1"
)


def test_a_failing_quality_gate_still_gets_every_environments_drift_table_to_slack(tmp_path: Path) -> None:
    calls = tmp_path / "calls.log"
    dagger = GATE_FAILS.replace("CALLS", str(calls))
    results = rehearse(
        tmp_path,
        "nightly-maintenance",
        Event("schedule"),
        dagger=dagger,
        secrets=SECRETS,
        variables=VARIABLES,
        may_fail=frozenset({"quality"}),
        ref="refs/heads/main",
    )
    verdicts = {job: result["result"] for job, result in results.items()}
    assert verdicts["quality"] == "failure"
    assert verdicts["codecov"] == "skipped", "no coverage to upload from a failed gate"
    assert [verdicts[f"drift ({env}, {where})"] for env, where in LEGS] == ["success"] * 3
    assert verdicts["research-smoke"] == "success"
    assert verdicts["report"] == verdicts["synth"] == "success"
    recorded = calls.read_text().splitlines()
    drift = [line for line in recorded if " drift --env " in line]
    assert drift == [
        f"call {STORE_AND_CREDENTIALS} drift --env {env} --synth cdk.out | slack=" for env, _ in LEGS
    ], "no coverage flag (the failed gate left no reports), no Slack: the report posts once"
    report = recorded.index("call drift-table --tables drift --slack-webhook env:SLACK_WEBHOOK | slack=set")
    assert recorded[report + 1] == "tables: table of dev table of prod table of staging ", "every leg's table"
    assert f"call {STORE_AND_CREDENTIALS} smoke --env dev --phase 8 " in "\n".join(recorded)


LEGS = (("dev", "dev"), ("staging", "staging"), ("prod", "prod-plan"))
