"""Real release artifacts made without a build: a one-stack bundle around a given template, or a built
artifact re-packed under another commit (a second digest with the same templates), each packed canonically
with its manifest and put into a folder store the way `careervp-ci build` does, its provenance beside it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from careervp_ci.release import provenance
from careervp_ci.release.artifact import MANIFEST, unpack, write_canonical_tar, write_manifest
from careervp_ci.release.store import FolderBackend, Store

REPO = Path(__file__).resolve().parents[2]


def _store(root: Path, store: Path, work: Path) -> str:
    tar = work / f"{root.name}.tar"
    write_canonical_tar(root, tar)
    folder = Store(FolderBackend(store), work / "scratch")
    digest = folder.put(tar)
    commit = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["commit"]
    made = provenance.statement(digest, commit=commit, ref="", tree=REPO, dirty=False, seconds=0)
    folder.put_provenance(digest, provenance.encode(made))
    return str(digest)


def one_stack_artifact(
    store: Path, stack_name: str, resources: dict[str, Any], work: Path, commit: str = "f" * 40
) -> str:
    """A bundle whose assembly holds one stack with `resources`, built from `commit`; returns its digest."""
    root = work / f"bundle-{len(list(work.iterdir()))}"
    assembly = root / "assembly"
    assembly.mkdir(parents=True)
    artifact = {"templateFile": "Service.template.json", "stackName": stack_name}
    (assembly / "manifest.json").write_text(
        json.dumps(
            {
                "version": "41.0.0",
                "artifacts": {"Service": {"type": "aws:cloudformation:stack", "properties": artifact}},
            }
        )
    )
    (assembly / "Service.template.json").write_text(json.dumps({"Resources": resources}))
    (assembly / "Service.assets.json").write_text(json.dumps({"version": "41.0.0", "files": {}}))
    write_manifest(root, {"commit": commit})
    return _store(root, store, work)


def recommitted(tar: Path, commit: str, store: Path, work: Path) -> str:
    """The artifact `tar` re-packed as if built from `commit` (same files, another manifest); its digest."""
    root = work / f"recommitted-{commit[:12]}"
    unpack(tar, root)
    facts = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    write_manifest(root, {**{k: v for k, v in facts.items() if k != "files"}, "commit": commit})
    return _store(root, store, work)
