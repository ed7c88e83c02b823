"""The contract as an independent client reads it: schemathesis, every check, positive and negative
requests, stateful sequences along the contract's links, against `careervp-ci serve` run as a developer
runs it (its own moto server, its signed-in user's ID token).

Deterministic: a fixed seed, no example database. A failure prints schemathesis' own report: the
operation, what was wrong, and the `curl` that reproduces it. Company research may fetch 127.0.0.1 only
(`--research-hosts`), so no generated URL ever leaves this machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.serve_process import Served, keep_reading, start

HERE = Path(__file__).resolve().parent
CONTRACT = HERE.parents[1] / "docs" / "specs" / "openapi.json"
CONFIG = HERE / "schemathesis.toml"
SEED = 27
EXAMPLES_PER_OPERATION = 45
MIN_CASES = 1500
REQUEST_TIMEOUT_SECONDS = 30
"""As long as API Gateway waits (29 s): a model route's first request imports the Anthropic SDK, over 10 s
on a loaded machine."""
RUN_TIMEOUT_SECONDS = 600
"""A safety net for a hung run, not a timing assertion."""
CASES = re.compile(r"Test cases:\s+(\d+) generated")


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    running = start("--port", "0", "--research-hosts", "127.0.0.1")
    keep_reading(running)
    try:
        yield running
    finally:
        running.process.terminate()
        running.process.wait(timeout=30)


def schemathesis_run(served: Served) -> subprocess.CompletedProcess[str]:
    command = [
        *(sys.executable, "-m", "schemathesis.cli"),
        *("--config-file", str(CONFIG), "run", str(CONTRACT), "--url", served.base_url),
        *("--checks", "all", "--mode", "all", "--phases", "examples,coverage,fuzzing,stateful"),
        *("--seed", str(SEED), "--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "2"),
        *("--request-timeout", str(REQUEST_TIMEOUT_SECONDS), "--generation-database", "none"),
        *("--header", f"Authorization: {served.token}", "--no-color"),
        # Generating 50,000-character texts that must match a pattern is slow for Hypothesis, not a flaw
        # of the contract: its "too slow" health check would stop the run.
        *("--suppress-health-check", "too_slow"),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS, check=False)


@pytest.mark.slow
def test_every_request_gets_a_documented_answer_under_every_schemathesis_check(served: Served) -> None:
    run = schemathesis_run(served)
    report = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis found contract violations (seed {SEED}):\n{report}"
    cases = CASES.search(report)
    assert cases, f"schemathesis reported no case count:\n{report}"
    assert int(cases.group(1)) >= MIN_CASES, f"only {cases.group(1)} cases generated:\n{report}"
