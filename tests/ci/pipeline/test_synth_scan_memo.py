"""`synth` keeps a passed scan: when the templates' pinned copies did not change (a backend edit), the step
synthesizes and takes the kept cfn-lint and checkov reports; a changed template, or an entry that does not
read back intact or is no pass, scans again. Real cfn-lint and checkov, in a fixture tree."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from careervp_ci.pipeline.steps import scan_memo
from careervp_ci.pipeline.steps.synth import KEPT_NOTE as KEPT
from support.fixture_project import CliRunner


def edit_backend(tree: Path, mark: str) -> None:
    """A backend edit: a new synth key, the same templates (the fixture app has no code asset)."""
    greeting = tree / "src/backend/careervp/greeting.py"
    greeting.write_text(greeting.read_text(encoding="utf-8") + f"# {mark}\n", encoding="utf-8")


def test_a_kept_pass_is_taken_only_while_it_reads_back_intact_and_passes(
    fixture_tree: Path, careervp_ci: CliRunner, tmp_path: Path
) -> None:
    memo = tmp_path / "cache" / scan_memo.FOLDER
    first = careervp_ci("synth", cwd=fixture_tree)
    assert first.returncode == 0, first.stdout + first.stderr
    assert KEPT not in first.stdout and (memo / scan_memo.INDEX).is_file()

    edit_backend(fixture_tree, "one")
    reused = careervp_ci("synth", cwd=fixture_tree)
    assert reused.returncode == 0 and KEPT in reused.stdout, reused.stdout
    assert (fixture_tree / ".reports/synth/checkov.sarif").is_file()

    kept = json.loads((memo / "checkov.json").read_text(encoding="utf-8"))
    kept["summary"]["passed"] += 1  # still a pass, but not the bytes the index names
    (memo / "checkov.json").write_text(json.dumps(kept), encoding="utf-8")
    edit_backend(fixture_tree, "two")
    refused = careervp_ci("synth", cwd=fixture_tree)
    assert refused.returncode == 0 and KEPT not in refused.stdout, (
        "a report that reads back changed is refused"
    )

    kept = json.loads((memo / "checkov.json").read_text(encoding="utf-8"))
    failed = {"check_id": "CKV_AWS_26", "check_name": "planted", "resource": "AWS::SNS::Topic.Topic"}
    kept["results"]["failed_checks"] = [
        {**failed, "file_path": "/x.template.json", "file_line_range": [1, 2]}
    ]
    planted = json.dumps(kept).encode()
    (memo / "checkov.json").write_bytes(planted)
    index = json.loads((memo / scan_memo.INDEX).read_text(encoding="utf-8"))
    index["reports"]["checkov.json"] = hashlib.sha256(planted).hexdigest()
    (memo / scan_memo.INDEX).write_text(json.dumps(index), encoding="utf-8")
    edit_backend(fixture_tree, "three")
    rescanned = careervp_ci("synth", cwd=fixture_tree)
    assert rescanned.returncode == 0, (
        "an intact entry that is no pass changes no verdict: the step scans again"
    )
    assert KEPT not in rescanned.stdout and "planted" not in (memo / "checkov.json").read_text()

    app = fixture_tree / "infra/app.py"
    app.write_text(app.read_text(encoding="utf-8").replace("careervp-dev-x", "careervp-dev-y"))
    changed = careervp_ci("synth", cwd=fixture_tree)
    assert changed.returncode == 0 and KEPT not in changed.stdout, "a changed template is scanned again"


def test_the_key_follows_the_copies_bytes_and_the_scanners(tmp_path: Path) -> None:
    copy = tmp_path / "a" / "x.template.json"
    copy.parent.mkdir()
    copy.write_text("{}", encoding="utf-8")

    def key(identity: tuple[str, ...] = ("cfn-lint 1",)) -> str:
        return scan_memo.ScanMemo.of(tmp_path, tmp_path, [copy], identity, ()).key

    same = key()
    assert key() == same
    assert key(("cfn-lint 2",)) != same
    copy.write_text("{ }", encoding="utf-8")
    assert key() != same
