"""The nightly's one drift report: each environment's job prints its table, the report reads them back and
prints one table of every environment, posting it to Slack once; an environment whose job printed no table is
a row of its own, never left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.rehearsal.slack import slack_stand_in
from careervp_ci.release import drift_table
from careervp_ci.release.drift_table import DriftReport, NoTable, Row

DIGEST = "sha256:" + "1" * 64


def report(env: str, *statuses: drift_table.Status) -> DriftReport:
    rows = tuple(
        Row(check, status, f"{check} of {env}")
        for check, status in zip(("stack", "cost")[: len(statuses)], statuses, strict=True)
    )
    return DriftReport(env, DIGEST, rows)


def test_a_printed_table_reads_back_as_the_report_a_pipe_in_a_detail_as_a_slash() -> None:
    printed = report("prod", "drift", drift_table.NOT_VERIFIABLE)
    assert DriftReport.parse(printed.markdown()) == printed
    piped = DriftReport("dev", DIGEST, (Row("openapi", "ok", "a | b"),))
    assert DriftReport.parse(piped.markdown()).rows == (Row("openapi", "ok", "a / b"),)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Traceback (most recent call last):\n",
        "## Drift: dev (runs `x`)\n\n| a |\n",
        report("dev", "ok").markdown().replace("✔ ok", "fine"),
    ],
)
def test_anything_else_is_no_table(text: str) -> None:
    with pytest.raises(NoTable):
        DriftReport.parse(text)
    assert not drift_table.is_drift_table(text)


def test_one_table_holds_every_environment_naming_the_drifted_and_the_unmeasured_first() -> None:
    table = drift_table.one_table(
        [report("dev", "ok", "ok"), report("prod", "drift", "ok")],
        {"staging": "its drift job printed no table"},
    )
    lines = table.splitlines()
    assert lines[0] == "## Nightly drift of dev, prod, staging: drift in prod; not measured: staging"
    assert lines[2] == "| environment | runs | check | status | detail |"
    assert f"| prod | `{DIGEST}` | stack | ✘ drift | stack of prod |" in lines
    assert f"| dev | `{DIGEST}` | cost | ✔ ok | cost of dev |" in lines
    assert "| staging | ? | all | ? not verifiable on this target | its drift job printed no table |" in lines
    assert len([line for line in lines if line.startswith("| ") and "---" not in line]) == 1 + 4 + 1


def test_the_report_reads_each_jobs_table_prints_one_and_posts_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for env in ("staging", "dev"):
        (tmp_path / f"{env}.md").write_text(report(env, "ok", "ok").markdown(), encoding="utf-8")
    (tmp_path / "prod.md").write_text("", encoding="utf-8")  # its job failed before printing
    with slack_stand_in() as slack:
        monkeypatch.setenv(drift_table.SLACK_ENV, slack.url)
        assert drift_table.main([str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("## Nightly drift of dev, staging, prod: no drift; not measured: prod\n")
    assert slack.messages == [printed.removesuffix("\n")], "one message: the printed table"


def test_nothing_to_report_is_an_error_and_posts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with slack_stand_in() as slack:
        monkeypatch.setenv(drift_table.SLACK_ENV, slack.url)
        assert drift_table.main([str(tmp_path)]) == 2
    assert "no drift table under" in capsys.readouterr().err
    assert slack.messages == []
