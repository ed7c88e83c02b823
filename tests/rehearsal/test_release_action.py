"""The release action runs each step's call exactly as the `run:` lines it replaced did: deploy-dev's real
workflows rehearsed with a `dagger` that records its arguments one per field, so word boundaries, quoting,
`$(git rev-parse HEAD)` and the job's variables are checked, not just the words."""

from __future__ import annotations

import re
from pathlib import Path

from careervp_ci.rehearsal.workflow import Event
from support.planted_workflows import rehearse

RECORDING = """#!/bin/bash
# The pipeline passes and writes its reports; `build` writes the artifact; every `release` call is recorded,
# one argument per field.
case "$2" in
  reports) mkdir -p .reports/coverage && echo '<coverage line-rate="0.9"/>' > .reports/coverage/coverage.xml
           echo '{"runs": [{"tool": {"driver": {"name": "planted"}}}]}' > .reports/planted.sarif ;;
  build) mkdir -p dist && echo artifact > dist/careervp-release.tar ;;
  release) (IFS='|'; echo "${*:3}") >> CALLS; echo "table for the summary" ;;
esac
"""
SECRETS = {
    "AWS_ROLE_DEV": "arn:aws:iam::123456789012:role/dev",
    **{
        name: f"planted-{name.lower()}"
        for name in ("STRIPE_WEBHOOK_SECRET", "ANTHROPIC_API_KEY", "CODECOV_TOKEN")
    },
}
VARIABLES = {"AWS_REGION": "eu-west-1", "CAREERVP_ARTIFACT_STORE": "s3://planted store/releases"}
PREAMBLE = (
    "--store|s3://planted store/releases|--aws-access-key-id|env:AWS_ACCESS_KEY_ID|--aws-secret-access-key|"
    "env:AWS_SECRET_ACCESS_KEY|--aws-session-token|env:AWS_SESSION_TOKEN|--aws-region|eu-west-1"
)


def test_every_release_step_of_deploy_dev_runs_its_call_behind_the_one_preamble(tmp_path: Path) -> None:
    calls = tmp_path / "calls.log"
    results = rehearse(
        tmp_path,
        "deploy-dev",
        Event("push"),
        dagger=RECORDING.replace("CALLS", str(calls)),
        secrets=SECRETS,
        variables=VARIABLES,
        ref="refs/heads/main",
    )
    assert all(result["result"] == "success" for result in results.values()), results
    recorded = calls.read_text().splitlines()
    assert all(line.startswith(PREAMBLE + "|") for line in recorded), recorded
    tails = [line.removeprefix(PREAMBLE + "|") for line in recorded]
    digest = "sha256:" + re.escape(str(results["build"]["outputs"]["artifact"]).removeprefix("sha256:"))
    expected = [
        rf"publish\|--artifact\|{digest}\|--commit\|[0-9a-f]{{40}}",
        r"coverage-baseline\|--coverage\|reports/coverage/coverage.xml\|--commit\|[0-9a-f]{40}",
        rf"deploy\|--env\|dev\|--artifact\|{digest}\|--ref\|refs/heads/main\|--anthropic-api-key\|"
        r"env:ANTHROPIC_API_KEY\|--stripe-webhook-secret\|env:STRIPE_WEBHOOK_SECRET",
        r"verify\|--env\|dev",
        r"smoke\|--env\|dev\|--stripe-webhook-secret\|env:STRIPE_WEBHOOK_SECRET",
        r"journeys\|--env\|dev\|--stripe-webhook-secret\|env:STRIPE_WEBHOOK_SECRET",
    ]
    assert len(tails) == len(expected), tails
    for tail, pattern in zip(tails, expected, strict=True):
        assert re.fullmatch(pattern, tail), (tail, pattern)
