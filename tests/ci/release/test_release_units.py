"""The release's building blocks, each on its own: digests, canonical tars, the store, locks, ledger,
approvals, targets and refs. Fast (no synth, no emulator)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from careervp_ci.history import RefError, resolve_commit
from careervp_ci.release.approvals import ApprovalError, check_approval, summarize, write_approval
from careervp_ci.release.artifact import (
    ArtifactError,
    digest_of,
    parse_digest,
    unpack,
    write_canonical_tar,
    write_manifest,
)
from careervp_ci.release.context import templates_only
from careervp_ci.release.ledger import Entry, Ledger
from careervp_ci.release.locking import EnvironmentBusyError, environment_lock
from careervp_ci.release.store import FolderBackend, Store, object_name
from careervp_ci.release.targets import TARGETS_ENV, TargetError, get_target, load_targets
from careervp_infra.assets import deterministic_zip
from careervp_infra.environments import load_environments

DIGEST = "sha256:" + "ab" * 32


def _tree(root: Path, mtime: int, mode: int) -> Path:
    (root / "b" / "nested").mkdir(parents=True)
    files = {"a.txt": "alpha", "b/nested/c.json": "{}", "b/z.py": "print()"}
    for name, text in files.items():
        path = root / name
        path.write_text(text)
        path.chmod(mode)
        os.utime(path, (mtime, mtime))
    return root


def test_same_content_gives_same_digest_whatever_times_and_permissions(tmp_path: Path) -> None:
    first = write_canonical_tar(_tree(tmp_path / "one", 1_000, 0o600), tmp_path / "one.tar")
    second = write_canonical_tar(_tree(tmp_path / "two", 2_000_000, 0o664), tmp_path / "two.tar")
    assert first == second
    assert first.value.startswith("sha256:")


def test_changed_content_changes_the_digest(tmp_path: Path) -> None:
    first = write_canonical_tar(_tree(tmp_path / "one", 0, 0o644), tmp_path / "one.tar")
    (tmp_path / "one" / "a.txt").write_text("ALPHA")
    assert write_canonical_tar(tmp_path / "one", tmp_path / "again.tar") != first


def test_canonical_tar_has_no_times_owners_or_pax_headers(tmp_path: Path) -> None:
    import tarfile

    tar = tmp_path / "t.tar"
    write_canonical_tar(_tree(tmp_path / "src", 12345, 0o600), tar)
    with tarfile.open(tar) as archive:
        members = archive.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, 0, "", "")}
    assert {m.mode for m in members if m.isfile()} == {0o644}
    assert all(not m.pax_headers for m in members)


@pytest.mark.parametrize(
    "bad", ["", "sha256:abc", "md5:" + "a" * 32, "sha256:" + "A" * 64, DIGEST[:-1] + "g"]
)
def test_parse_digest_refuses_malformed_values_naming_them(bad: str) -> None:
    with pytest.raises(ArtifactError, match="malformed artifact digest") as refused:
        parse_digest(bad)
    assert refused.value.exit_code == 2, "a malformed digest is bad usage"


def test_store_refuses_an_artifact_whose_bytes_do_not_match_its_digest(tmp_path: Path) -> None:
    tar = tmp_path / "a.tar"
    write_canonical_tar(_tree(tmp_path / "src", 0, 0o644), tar)
    store = Store(FolderBackend(tmp_path / "store"), tmp_path / "scratch")
    digest = store.put(tar)
    stored = tmp_path / "store" / object_name(digest)
    data = bytearray(stored.read_bytes())
    data[600] ^= 0xFF
    stored.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=f"{digest} .* corrupt or tampered") as refused:
        store.fetch(digest, tmp_path / "out")
    assert refused.value.exit_code == 1, "a tampered artifact is a gate saying no, not bad usage"
    assert not (tmp_path / "out" / object_name(digest)).exists()


def test_store_names_a_missing_artifact(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="is not in the store") as refused:
        Store(FolderBackend(tmp_path / "store"), tmp_path / "scratch").fetch(
            parse_digest(DIGEST), tmp_path / "out"
        )
    assert refused.value.exit_code == 1


def _packed(tmp_path: Path) -> tuple[Path, Path]:
    """A bundle with its manifest, and its tar."""
    bundle = _tree(tmp_path / "bundle", 0, 0o644)
    write_manifest(bundle, {"commit": "c0ffee"})
    tar = tmp_path / "bundle.tar"
    write_canonical_tar(bundle, tar)
    return bundle, tar


def test_unpacked_bundle_is_checked_file_by_file_against_its_manifest(tmp_path: Path) -> None:
    bundle, tar = _packed(tmp_path)
    unpacked = tmp_path / "unpacked"
    assert unpack(tar, unpacked)["commit"] == "c0ffee"
    assert (unpacked / "b" / "z.py").read_text() == "print()"
    (bundle / "b" / "z.py").write_text("print('changed')")
    write_canonical_tar(bundle, tar)
    with pytest.raises(ArtifactError, match=r"changed: b/z\.py"):
        unpack(tar, tmp_path / "changed")


def test_a_file_unpack_does_not_keep_is_still_checked_against_the_manifest(tmp_path: Path) -> None:
    bundle, tar = _packed(tmp_path)
    kept = tmp_path / "kept"
    assert unpack(tar, kept, keep=lambda name: not name.startswith("b/"))["commit"] == "c0ffee"
    assert (kept / "a.txt").is_file() and not (kept / "b" / "z.py").exists()
    assert not (kept / "b" / "nested").exists()
    (bundle / "b" / "nested" / "c.json").write_text("[]")
    write_canonical_tar(bundle, tar)
    with pytest.raises(ArtifactError, match=r"changed: b/nested/c\.json"):
        unpack(tar, tmp_path / "changed", keep=lambda name: not name.startswith("b/"))


def test_deterministic_zip_ignores_file_times(tmp_path: Path) -> None:
    first = deterministic_zip(_tree(tmp_path / "one", 0, 0o644))
    assert deterministic_zip(_tree(tmp_path / "two", 99_999_999, 0o644)) == first


def test_deterministic_zip_refuses_a_link_naming_it(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "one", 0, 0o644)
    (tree / "b" / "elsewhere.py").symlink_to(tree / "b" / "z.py")
    with pytest.raises(ValueError, match=r"elsewhere\.py: only regular files and folders"):
        deterministic_zip(tree)


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("assembly/asset.3f2a.zip", False),
        ("assembly/asset.3f2a/careervp/api.py", False),
        ("assembly/careervp-dev-service-stack.template.json", True),
        ("assembly/careervp-dev-service-stack.assets.json", True),
        ("manifest.json", True),
    ],
)
def test_a_templates_only_unpack_leaves_out_the_code_zip_and_a_folder_assets_files(
    name: str, kept: bool
) -> None:
    assert templates_only(name) is kept


def test_digest_of_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "f"
    path.write_bytes(b"careervp")
    assert digest_of(path).hex == hashlib.sha256(b"careervp").hexdigest()


def test_second_lock_on_an_environment_is_refused_naming_the_holder(tmp_path: Path) -> None:
    store = FolderBackend(tmp_path)
    with (
        environment_lock(store, "dev", run="run-1", operation="deploy", digest=DIGEST),
        pytest.raises(EnvironmentBusyError) as refused,
        environment_lock(store, "dev", run="run-2", operation="deploy"),
    ):
        pass
    message = str(refused.value)
    assert f"run run-1 (deploy of {DIGEST} by pid {os.getpid()}" in message and "since" in message
    with environment_lock(store, "dev", run="run-3", operation="deploy"):
        pass


def test_locks_of_different_environments_are_independent(tmp_path: Path) -> None:
    store = FolderBackend(tmp_path)
    with (
        environment_lock(store, "dev", run="a", operation="deploy"),
        environment_lock(store, "staging", run="b", operation="x"),
    ):
        pass


def _entry(env: str, digest: str, outcome: str, time: str) -> Entry:
    return Entry(env=env, digest=digest, commit="c", time=time, outcome=outcome, target="emulator")  # type: ignore[arg-type]


def test_ledger_knows_the_last_good_and_the_current_deploy(tmp_path: Path) -> None:
    ledger = Ledger(FolderBackend(tmp_path))
    good, bad = "sha256:" + "1" * 64, "sha256:" + "2" * 64
    ledger.record(_entry("dev", good, "succeeded", "2026-01-01T00:00:00"))
    ledger.record(_entry("dev", bad, "smoke-failed", "2026-01-02T00:00:00"))
    assert ledger.last_good("dev") is not None and ledger.last_good("dev").digest == good  # type: ignore[union-attr]
    assert ledger.current("dev").digest == good  # type: ignore[union-attr]
    ledger.record(_entry("dev", good, "destroyed", "2026-01-03T00:00:00"))
    assert ledger.current("dev") is None
    assert ledger.last_good("staging") is None


def _approved(folder: Path, baseline: str = "") -> Path:
    """A summary and its approval written into the store folder `folder`; returns the approval's path."""
    summary = summarize(
        "prod",
        parse_digest(DIGEST),
        "careervp-prod-service-stack",
        new={"Resources": {"A": {"Type": "X"}, "B": {"Type": "Y", "Properties": {"v": 2}}}},
        old={"Resources": {"B": {"Type": "Y", "Properties": {"v": 1}}, "C": {"Type": "Z"}}},
        baseline=baseline,
    )
    assert (summary.added, summary.changed, summary.removed) == (["A"], ["B"], ["C"])
    return Path(write_approval(FolderBackend(folder), summary))


def test_approval_for_the_digest_and_env_is_accepted(tmp_path: Path) -> None:
    _approved(tmp_path)
    record = check_approval(FolderBackend(tmp_path), "prod", parse_digest(DIGEST), current="")
    assert record["digest"] == DIGEST and record["approved_by"]


def test_prod_without_approval_is_refused_with_the_command_to_approve(tmp_path: Path) -> None:
    with pytest.raises(ApprovalError, match=f"careervp-ci approve --env prod --artifact {DIGEST}"):
        check_approval(FolderBackend(tmp_path), "prod", parse_digest(DIGEST), current="")


def test_approval_for_another_digest_is_refused(tmp_path: Path) -> None:
    approval = _approved(tmp_path)
    other = parse_digest("sha256:" + "cd" * 32)
    with pytest.raises(ApprovalError, match="not prod / sha256:cdcd"):
        check_approval(FolderBackend(tmp_path), "prod", other, current="", explicit=approval)


def test_approval_whose_summary_was_edited_is_refused(tmp_path: Path) -> None:
    approval = _approved(tmp_path)
    summary = approval.parent / json.loads(approval.read_text())["summary"]
    summary.write_text(summary.read_text().replace('"C"', '"D"'))
    with pytest.raises(ApprovalError, match="modified after approval"):
        check_approval(FolderBackend(tmp_path), "prod", parse_digest(DIGEST), current="")


def test_approval_made_against_an_older_prod_is_stale(tmp_path: Path) -> None:
    _approved(tmp_path, baseline="")
    with pytest.raises(ApprovalError, match="summary is stale"):
        check_approval(FolderBackend(tmp_path), "prod", parse_digest(DIGEST), current="sha256:" + "9" * 64)


def test_unknown_environment_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(
        TargetError, match=r"unknown environment 'qa'.*dev, staging, prod, gap-remediation, local"
    ):
        get_target("qa")


def test_every_environment_of_the_registry_is_a_target_deploying_a_stack_the_cdk_app_builds() -> None:
    targets = load_targets()
    assert tuple(targets) == load_environments().names
    assert {target.stack_env for target in targets.values()} <= set(load_environments().stack_names)


def test_each_target_carries_its_environments_declared_gates() -> None:
    for name, target in load_targets().items():
        env = load_environments().get(name)
        assert (target.kind, target.region, target.stack_env) == (env.kind, env.region, env.stack)
        assert (target.promote_from, target.requires_approval, target.protected, target.smoke) == (
            env.promote_from,
            env.requires_approval,
            env.protected,
            env.smoke,
        )


def test_local_is_the_emulator_stand_in_for_devs_stack() -> None:
    local = get_target("local")
    assert (local.kind, local.stack_name, local.ephemeral) == ("emulator", "careervp-dev-service-stack", True)
    prod = get_target("prod")
    assert (prod.kind, prod.requires_approval, prod.protected, prod.promote_from) == (
        "aws",
        True,
        True,
        "staging",
    )


def test_a_targets_file_binds_the_environments_it_names_to_emulators_and_keeps_their_gates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = tmp_path / "targets.toml"
    targets.write_text('[targets.prod]\nendpoint = "http://localhost:4566"\n\n[targets.dev]\n')
    monkeypatch.setenv(TARGETS_ENV, str(targets))
    prod, dev = get_target("prod"), get_target("dev")
    assert (prod.kind, prod.endpoint, prod.ephemeral) == ("emulator", "http://localhost:4566", False)
    assert (prod.promote_from, prod.requires_approval, prod.protected, prod.smoke) == (
        "staging",
        True,
        True,
        "read-only",
    )
    assert (dev.kind, dev.ephemeral) == ("emulator", True)
    with pytest.raises(
        TargetError, match=r"unknown environment 'staging'.*prod, dev \(bound by the targets file"
    ):
        get_target("staging")


def test_targets_file_may_name_only_environments_the_registry_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    targets = tmp_path / "targets.toml"
    targets.write_text('[targets.qa]\nendpoint = "http://localhost:4566"\n')
    monkeypatch.setenv(TARGETS_ENV, str(targets))
    with pytest.raises(
        TargetError, match=r"unknown environment 'qa'.*declare new ones in infra/environments.toml"
    ):
        get_target("qa")


@pytest.mark.parametrize(
    "restated", ['kind = "aws"', 'promote_from = "dev"', "protected = false", 'smoke = "full"']
)
def test_a_targets_file_cannot_restate_what_the_registry_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restated: str
) -> None:
    targets = tmp_path / "targets.toml"
    targets.write_text(f"[targets.prod]\n{restated}\n")
    monkeypatch.setenv(TARGETS_ENV, str(targets))
    with pytest.raises(TargetError, match=rf"targets\.prod\.{restated.split(maxsplit=1)[0]}") as error:
        get_target("prod")
    assert "declared in infra/environments.toml" in str(error.value)


def test_unknown_ref_is_refused_naming_it(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with pytest.raises(RefError, match="unknown git ref 'no-such-branch'"):
        resolve_commit(tmp_path, "no-such-branch")
    with pytest.raises(RefError, match="invalid git ref"):
        resolve_commit(tmp_path, "--output=/tmp/x")
