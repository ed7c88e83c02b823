"""The post-deploy verifier as the release runs it: the tree's own script, the target's AWS settings in its
environment, and its exit code read as verified, drifted, or could not verify."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.release.verify import VERIFIER, run_verifier


def tree_with_verifier(root: Path, body: str) -> Path:
    script = root / VERIFIER
    script.parent.mkdir(parents=True)
    script.write_text(f"import os, sys\n{body}\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("code", "ok", "summary"),
    [
        (0, True, "verified"),
        (1, False, "drifted: the deployed stack does not match the artifact"),
        (2, False, "could not verify (verifier exited 2)"),
    ],
)
def test_the_exit_code_decides_the_verdict(tmp_path: Path, code: int, ok: bool, summary: str) -> None:
    src = tree_with_verifier(tmp_path, f"print('checked'); sys.exit({code})")
    verdict = run_verifier(src, "dev", tmp_path / "assembly", {})
    assert (verdict.ok, verdict.summary, verdict.output) == (ok, summary, "checked")


def test_the_verifier_gets_the_stack_the_assembly_and_the_targets_aws_settings(tmp_path: Path) -> None:
    src = tree_with_verifier(tmp_path, "print(' '.join(sys.argv[1:])); print(os.environ['AWS_ENDPOINT_URL'])")
    verdict = run_verifier(src, "dev", tmp_path / "assembly", {"AWS_ENDPOINT_URL": "http://localhost:4566"})
    assert verdict.output.splitlines() == [
        f"--mode deployed --env dev --assembly {tmp_path / 'assembly'}",
        "http://localhost:4566",
    ]


def test_a_tree_without_the_verifier_cannot_verify(tmp_path: Path) -> None:
    verdict = run_verifier(tmp_path, "dev", tmp_path / "assembly", {})
    assert not verdict.ok
    assert verdict.summary == f"the verifier {VERIFIER} is missing from {tmp_path}; cannot verify"
