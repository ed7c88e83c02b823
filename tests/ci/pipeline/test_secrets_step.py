"""The `secrets` step: detect-secrets offline, the audited baseline, SARIF; values never shown."""

from __future__ import annotations

import json
from pathlib import Path

from support.fixture_project import CliRunner, write

AWS_KEY = "AKIA" + "QYLPMN5HHHFPZAM2"  # split so this file itself holds no key-shaped literal
PRIVATE_KEY_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"


def test_a_committed_credential_fails_with_file_line_and_kind_but_never_the_value(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "src/backend/careervp/settings.py", f'AWS_KEY_ID = "{AWS_KEY}"\n')
    result = careervp_ci("secrets", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 1
    assert "src/backend/careervp/settings.py:1: AWS Access Key" in result.stdout
    assert AWS_KEY not in result.stdout + result.stderr
    sarif = json.loads((fixture_tree / ".reports/secrets/secrets.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    [finding] = sarif["runs"][0]["results"]
    assert finding["level"] == "error"
    assert finding["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("settings.py")
    assert AWS_KEY not in json.dumps(sarif)


def test_an_audited_false_positive_in_the_baseline_passes_and_a_real_one_still_fails(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    write(fixture_tree, "tests/keys.py", f'KEY = """\n{PRIVATE_KEY_HEADER}\nnot-a-real-key\n"""\n')
    assert careervp_ci("secrets", "--no-cache", cwd=fixture_tree).returncode == 1
    report = json.loads((fixture_tree / ".reports/secrets/detect-secrets.json").read_text())
    for entries in report["results"].values():
        for entry in entries:
            entry["is_secret"] = False
    write(fixture_tree, ".secrets.baseline", json.dumps(report))
    passed = careervp_ci("secrets", "--no-cache", cwd=fixture_tree)
    assert passed.returncode == 0, passed.stdout
    assert "1 accepted finding(s)" in passed.stdout
    for entries in report["results"].values():
        entries[0]["is_secret"] = True
    write(fixture_tree, ".secrets.baseline", json.dumps(report))
    assert careervp_ci("secrets", "--no-cache", cwd=fixture_tree).returncode == 1


def test_a_clean_tree_passes_and_writes_an_empty_sarif(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    result = careervp_ci("secrets", "--no-cache", cwd=fixture_tree)
    assert result.returncode == 0, result.stdout
    sarif = json.loads((fixture_tree / ".reports/secrets/secrets.sarif").read_text())
    assert sarif["runs"][0]["results"] == []


def test_a_rescan_reads_only_changed_files_and_keeps_the_findings_of_the_others(
    fixture_tree: Path, careervp_ci: CliRunner
) -> None:
    first = careervp_ci("secrets", cwd=fixture_tree)
    assert first.returncode == 0, first.stdout
    assert "full scan: no earlier scan of this tree" in first.stdout
    write(fixture_tree, "src/backend/careervp/settings.py", f'AWS_KEY_ID = "{AWS_KEY}"\n')
    planted = careervp_ci("secrets", cwd=fixture_tree)
    assert planted.returncode == 1
    assert (
        "scanned the 1 file(s) changed since the last scan (src/backend/careervp/settings.py)"
        in planted.stdout
    )
    assert "src/backend/careervp/settings.py:1: AWS Access Key" in planted.stdout
    write(fixture_tree, "src/backend/careervp/pricing.py", '"""Prices."""\n')
    unchanged = careervp_ci("secrets", cwd=fixture_tree)
    assert unchanged.returncode == 1, "the key in the file that did not change is still found"
    assert (
        "scanned the 1 file(s) changed since the last scan (src/backend/careervp/pricing.py)"
        in unchanged.stdout
    )
    assert "src/backend/careervp/settings.py:1: AWS Access Key" in unchanged.stdout
    write(fixture_tree, ".secrets.baseline", '{"results": {}}\n')
    rebaselined = careervp_ci("secrets", cwd=fixture_tree)
    assert rebaselined.returncode == 1
    assert "full scan: the baseline, the scan's configuration or detect-secrets changed" in rebaselined.stdout
    (fixture_tree / "src/backend/careervp/settings.py").unlink()
    removed = careervp_ci("secrets", cwd=fixture_tree)
    assert removed.returncode == 0, removed.stdout
    assert "scanned the 0 file(s) changed since the last scan (none)" in removed.stdout
