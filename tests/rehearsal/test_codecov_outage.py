"""A Codecov outage shows and blocks nothing: pr-validate's real workflows (the reusable validation, the
Codecov job, the required check) rehearsed with a `dagger` that only writes the reports, no containers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from careervp_ci.rehearsal.workflow import Event
from support.planted_workflows import rehearse

REPORTS_ONLY = """#!/bin/sh
# The pipeline passes; `reports ... export --path .reports` writes what the real reports hold, `job ... --step
# synth ... export --path cdk.out` a cloud assembly.
case " $* " in *" --step synth "*) mkdir -p cdk.out && echo '{}' > cdk.out/manifest.json ;; esac
if [ "$2" = reports ]; then
  mkdir -p .reports/coverage
  echo '<coverage line-rate="0.9"/>' > .reports/coverage/coverage.xml
  echo '{"runs": [{"tool": {"driver": {"name": "planted"}}}]}' > .reports/planted.sarif
fi
"""


def _pull_request(tmp_path: Path, token: str, may_fail: frozenset[str]) -> dict[str, dict[str, Any]]:
    secrets = {"CODECOV_TOKEN": token}
    return rehearse(
        tmp_path,
        "pr-validate",
        Event("pull_request"),
        dagger=REPORTS_ONLY,
        secrets=secrets,
        may_fail=may_fail,
    )


def test_a_codecov_outage_fails_only_the_codecov_job_and_the_required_check_stays_green(
    tmp_path: Path,
) -> None:
    results = _pull_request(tmp_path, token="", may_fail=frozenset({"codecov"}))
    verdicts = {job: result["result"] for job, result in results.items()}
    assert verdicts["validate"] == "success"
    assert verdicts["codecov"] == verdicts["codecov / upload"] == "failure"
    assert verdicts["required"] == "success"
    assert "codecov-action: no token" in str(results["codecov / upload"]["error"])


def test_with_codecov_up_every_job_of_the_pull_request_passes(tmp_path: Path) -> None:
    results = _pull_request(tmp_path, token="rehearsal-codecov-token", may_fail=frozenset())
    assert {job: result["result"] for job, result in results.items()} == {
        "changes": "success",
        "docs-only": "skipped",
        "validate / validate": "success",
        "validate": "success",
        "codecov / upload": "success",
        "codecov": "success",
        "required": "success",
    }
