"""`audit` says, per lock, how many packages it checked, and an audit that checked none fails.

npm audit runs for real against a stand-in advisory service on 127.0.0.1 (`npm_config_registry`): it
answers npm's bulk advisory request (`POST /-/npm/v1/security/advisories/bulk`, @npmcli/arborist
lib/audit-report.js) with no advisory, as the registry does for packages without any, so the counts are npm's
own. pip-audit's service cannot be redirected; its count is read from its JSON report.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.pipeline.steps import audit
from careervp_ci.pipeline.steps.context import Status, StepContext

REPOSITORY = Path(__file__).resolve().parents[3]


class _NoAdvisories(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def advisory_service() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoAdvisories)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def context(src: Path, registry: str) -> StepContext:
    env = {"npm_config_registry": registry, "npm_config_audit_level": "none", "npm_config_fund": "false"}
    reports = src / ".reports" / "audit"
    reports.mkdir(parents=True, exist_ok=True)
    return StepContext(
        "audit", src, reports, {}, REPOSITORY / ".venv" / "bin", base_env={**os.environ, **env}
    )


@pytest.mark.parametrize("lock", audit.NODE_LOCKS)
def test_both_node_locks_are_audited_with_their_dev_dependencies(
    tmp_path: Path, advisory_service: str, lock: str
) -> None:
    (tmp_path / lock).parent.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(REPOSITORY / Path(lock).parent / name, tmp_path / Path(lock).parent / name)
    locked = json.loads((tmp_path / lock).read_text())["packages"]
    result = audit.audit_node(context(tmp_path, advisory_service), lock)
    assert result is not None and result.gap is None, result
    assert result.checked == len([path for path in locked if path]) > 0
    assert result.verdict([]) == "passed"


def test_a_lock_whose_audit_checks_nothing_fails_the_step(tmp_path: Path, advisory_service: str) -> None:
    (tmp_path / "package.json").write_text('{"name": "empty", "version": "1.0.0"}\n')
    (tmp_path / "package-lock.json").write_text(
        json.dumps(
            {
                "name": "empty",
                "version": "1.0.0",
                "lockfileVersion": 3,
                "requires": True,
                "packages": {"": {"name": "empty", "version": "1.0.0"}},
            }
        )
    )
    ctx = context(tmp_path, advisory_service)
    empty = audit.audit_node(ctx, "package-lock.json")
    assert empty is not None and (empty.checked, empty.verdict([])) == (0, "failed")


def test_the_report_names_every_lock_its_tool_count_and_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = [
        audit.LockAudit("uv.lock", "runtime", "pip-audit", 15, []),
        audit.LockAudit("uv.lock", "tools", "pip-audit", 0, [], "pip-audit could not reach the service"),
        audit.LockAudit("package-lock.json", "with dev dependencies", "npm audit", 0, []),
    ]
    monkeypatch.setattr(audit, "audits", lambda ctx: results)
    ctx = StepContext("audit", tmp_path, tmp_path / "reports", {}, tmp_path / "bin")
    ctx.report_dir.mkdir()
    outcome = audit.run(ctx)
    assert outcome.status is Status.FAILED
    assert "package-lock.json (with dev dependencies): npm audit checked 0 packages" in outcome.details
    report = json.loads((ctx.report_dir / audit.REPORT).read_text())
    assert [(r["lock"], r["tool"], r["checked"], r["verdict"]) for r in report["locks"]] == [
        ("uv.lock", "pip-audit", 15, "passed"),
        ("uv.lock", "pip-audit", 0, "unverified"),
        ("package-lock.json", "npm audit", 0, "failed"),
    ]


def test_pip_audit_counts_only_what_it_looked_up() -> None:
    report = {
        "dependencies": [
            {"name": "boto3", "version": "1.40.0", "vulns": []},
            {"name": "careervp-ci", "version": "0.1.0", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    assert audit.pip_checked(report) == 1
