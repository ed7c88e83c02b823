"""Drift rows, the Markdown table, and the Slack post (a local stub; a Slack failure never fails the run)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from careervp_ci.release import drift, drift_table
from careervp_ci.release.store import FolderBackend

SPEC = {"openapi": "3.1.0", "paths": {"/health": {"get": {}}, "/kb/documents": {"get": {}, "post": {}}}}


def test_cost_is_never_ok_on_the_emulator_and_drifts_on_aws_when_the_forecast_passes_the_budget() -> None:
    assert drift.cost_row("emulator", None, None).status == drift_table.NOT_VERIFIABLE
    budget = {
        "BudgetLimit": {"Amount": "50", "Unit": "USD"},
        "CalculatedSpend": {"ActualSpend": {"Amount": "30"}, "ForecastedSpend": {"Amount": "61"}},
    }
    over = drift.cost_row("aws", budget, (2.0, 2.0))
    assert over.status == "drift"
    assert "30.00 spent, 61.00 forecast of 50.00 USD" in over.detail
    pricier = drift.cost_row("aws", {**budget, "CalculatedSpend": {}}, (3.0, 2.0))
    assert pricier.status == "drift"
    assert drift.cost_row("aws", {**budget, "CalculatedSpend": {}}, (2.1, 2.0)).status == "ok"
    assert drift.cost_row("aws", None, None).status == drift_table.NOT_VERIFIABLE


def test_openapi_drift_names_operations_not_deployed_and_gone() -> None:
    committed = json.loads(json.dumps(SPEC))
    committed["paths"]["/gap-analysis/questions"] = {"post": {}}
    deployed = json.loads(json.dumps(SPEC))
    del deployed["paths"]["/kb/documents"]["post"]
    deployed["paths"]["/legacy"] = {"get": {}}
    row = drift.openapi_row(deployed, committed)
    assert row.status == "drift"
    assert "not deployed yet: POST /gap-analysis/questions, POST /kb/documents" in row.detail
    assert "deployed but gone from the spec: GET /legacy" in row.detail
    assert drift.openapi_row(SPEC, SPEC).status == "ok"
    assert drift.openapi_row(None, SPEC).status == drift_table.NOT_VERIFIABLE


def test_coverage_baseline_round_trips_through_the_store_and_a_drop_is_drift(tmp_path: Any) -> None:
    backend = FolderBackend(tmp_path / "store")
    report = tmp_path / "coverage.xml"
    report.write_text('<coverage line-rate="0.9012"></coverage>')
    drift.write_baseline(backend, report, "c" * 40)
    baseline = drift.read_baseline(backend)
    assert baseline is not None and baseline["percent"] == 90.12
    assert drift.coverage_row(89.5, baseline).status == "ok"
    assert drift.coverage_row(88.0, baseline).status == "drift"
    assert drift.coverage_row(None, baseline).status == drift_table.NOT_VERIFIABLE
    assert drift.coverage_row(90.0, None).status == drift_table.NOT_VERIFIABLE


def test_monitoring_drift_names_an_alarm_or_schedule_changed_behind_the_release() -> None:
    artifact = {
        "Resources": {
            "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Threshold": 1}},
            "Schedule": {"Type": "AWS::Events::Rule", "Properties": {"State": "ENABLED"}},
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
        }
    }
    live = json.loads(json.dumps(artifact))
    assert drift.monitoring_row(artifact, live) == drift_table.Row(
        "monitoring", "ok", "2 alarms, schedules and alert targets match the artifact's"
    )
    live["Resources"]["Schedule"]["Properties"]["State"] = "DISABLED"
    live["Resources"]["Table"]["Properties"]["TableName"] = "renamed"
    del live["Resources"]["Alarm"]
    row = drift.monitoring_row(artifact, live)
    assert (row.status, row.detail) == ("drift", "differs from the artifact: Alarm, Schedule")
    assert drift.monitoring_row(artifact, None).status == drift_table.NOT_VERIFIABLE


def test_the_table_marks_each_row_and_a_report_with_a_drift_row_has_drifted() -> None:
    report = drift.DriftReport(
        "dev",
        "sha256:" + "0" * 64,
        (
            drift.stack_row([], [], []),
            drift.stack_row(["Topic"], [], [], drift.ARTIFACT),
            drift.cost_row("emulator", None, None),
        ),
    )
    table = report.markdown()
    assert "| stack | ✔ ok | live template matches main's synthesized template |" in table
    assert (
        "| stack | ✘ drift | live stack differs from the template of the artifact it says it runs; "
        "added: Topic |" in table
    )
    assert "| cost | ? not verifiable on this target |" in table
    assert report.drifted


class Slack(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(json.loads(body))
        self.send_response(self.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slack() -> Iterator[tuple[str, type[Slack]]]:
    handler = type("Recording", (Slack,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/secret-path", handler
    finally:
        server.shutdown()


def test_the_table_is_posted_to_slack_when_the_webhook_is_set(slack: tuple[str, type[Slack]]) -> None:
    url, handler = slack
    logged: list[str] = []
    assert drift.post_to_slack("| table |", logged.append, {"SLACK_WEBHOOK": url})
    assert handler.received == [{"text": "| table |"}]
    assert not drift.post_to_slack("| table |", logged.append, {})
    assert len(handler.received) == 1


def test_a_slack_error_is_logged_without_the_webhook_url_and_never_raised(
    slack: tuple[str, type[Slack]],
) -> None:
    url, handler = slack
    handler.status = 500
    logged: list[str] = []
    assert not drift.post_to_slack("| table |", logged.append, {"SLACK_WEBHOOK": url})
    assert not drift.post_to_slack("| table |", logged.append, {"SLACK_WEBHOOK": "http://127.0.0.1:9/x"})
    assert len(logged) == 2
    assert "could not post to Slack (500)" in logged[0]
    assert not any("secret-path" in line for line in logged)
