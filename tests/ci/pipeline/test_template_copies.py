"""The scanners' copies of the templates: after a backend edit, the CDK's own synth of the tree changes each
function's code hash and each Lambda version's logical id, and the pinned copies stay byte for byte the
same, every line where it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from careervp_ci.pipeline.steps import template_copies
from careervp_infra import assembly
from support.synth import session_assembly


def test_a_backend_edit_leaves_the_pinned_copies_byte_identical(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = session_assembly(tmp_path_factory)
    backend = tmp_path / "backend"
    shutil.copytree(assembly.BACKEND_DIR, backend, ignore=shutil.ignore_patterns("__pycache__"))
    store = backend / "careervp" / "kb" / "store.py"
    store.write_text(store.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(assembly, "BACKEND_DIR", backend)
    after = assembly.synthesize(tmp_path / "after")

    old = template_copies.write(before, tmp_path / "copies-before")
    new = template_copies.write(after, tmp_path / "copies-after")
    assert [copy.relative_to(tmp_path / "copies-before") for copy in old] == [
        copy.relative_to(tmp_path / "copies-after") for copy in new
    ]
    assert len(old) == 4
    for copy_before, copy_after in zip(old, new, strict=True):
        relative = copy_before.relative_to(tmp_path / "copies-before")
        original, edited = (before / relative).read_text(), (after / relative).read_text()
        assert original != edited, "the edit changed the code's hash in the template"
        assert copy_before.read_bytes() == copy_after.read_bytes(), relative
        pinned = copy_after.read_text()
        lengths = [len(line) for line in pinned.splitlines()]
        assert lengths == [len(line) for line in edited.splitlines()], "every line where it was, as long"


def test_each_version_and_asset_gets_a_placeholder_of_its_own() -> None:
    code = "ab" * 32
    template = {
        "Resources": {
            "FnCurrentVersionFD46A0DF" + "1" * 32: {"Type": "AWS::Lambda::Version"},
            "GoCurrentVersionE3E017E3" + "2" * 32: {"Type": "AWS::Lambda::Version"},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"S3Key": f"dev/{code}.zip"}}},
            "Other": {"Type": "AWS::S3::Bucket", "Properties": {"Tag": "cd" * 32}},
        }
    }
    text = json.dumps(template)
    pinned = template_copies.pinned(text, {code})
    assert "FnCurrentVersionFD46A0DF" + "0" * 32 in pinned
    assert "GoCurrentVersionE3E017E3" + "0" * 31 + "1" in pinned
    assert f"dev/{'0' * 64}.zip" in pinned
    assert "cd" * 32 in pinned, "a hex string that is no code asset's hash is left alone"
    assert len(pinned) == len(text)
