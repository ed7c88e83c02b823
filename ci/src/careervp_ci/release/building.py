"""An artifact into the stores: built once (from a tree as it is, or a fresh worktree of a ref) into this
machine's store and the shared one, or a local build published there later. The bytes are checked on every
copy, so a corrupt copy in the store is healed, never trusted. Its provenance statement
(`release.provenance`) goes with it everywhere: the deploy roads refuse an artifact without one."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.history import resolve_commit
from careervp_ci.release import provenance
from careervp_ci.release.artifact import ArtifactError, Digest, parse_digest
from careervp_ci.release.build import BuildResult, build
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseRefused, doing
from careervp_ci.release.gitref import worktree
from careervp_ci.release.scratch import reclaim, scratch_dir
from careervp_ci.release.store import StoreError


def build_artifact(
    release: ReleaseContext,
    *,
    src: Path | None = None,
    ref: str | None = None,
    commit: str | None = None,
    label: str = "",
) -> BuildResult:
    """Build into the local store, and into the given store too: the tree at `src` as it is (recording
    `commit` when given; the repository's tree when only `commit` is), or else a fresh worktree of `ref`
    (default HEAD). The provenance beside it names `label` as the ref (default: `ref`, else $GITHUB_REF)."""
    reclaim(release.state.work)
    if commit is not None and ref is not None:
        raise ReleaseRefused(
            f"build takes --ref {ref!r} or --commit {commit!r}, not both: --ref checks a commit out, "
            "--commit names the commit a tree already is"
        )
    with scratch_dir(release.state.work, "build") as scratch:
        tar = scratch / "artifact.tar"
        if src is not None or commit is not None:
            tree = src if src is not None else release.repo
            result = build(tree, tar, release.state.cache, release.log, commit)
            statement = _statement(result, tree, label or ref or "")
        else:
            with worktree(release.repo, resolve_commit(release.repo, ref or "HEAD")) as tree:
                result = build(tree, tar, release.state.cache, release.log)
                statement = _statement(result, tree, label or ref or "")
        with doing(f"built {result.digest} but could not store it", StoreError):
            for store in (release.local_store, *([release.store] if release.store_uri else [])):
                store.put(result.tar_path)
                store.put_provenance(result.digest, statement)
    return result


def _statement(result: BuildResult, tree: Path, ref: str) -> bytes:
    return provenance.encode(
        provenance.statement(
            result.digest,
            commit=result.commit,
            ref=ref,
            tree=tree,
            dirty=result.dirty,
            seconds=result.seconds,
        )
    )


def publish_artifact(release: ReleaseContext, digest_text: str) -> Digest:
    """Copy an artifact built here (`<state>/artifacts`) into the store."""
    digest = parse_digest(digest_text)
    if not release.store_uri:
        raise ReleaseRefused(
            "publish needs a store to publish to: --store URI or $CAREERVP_ARTIFACT_STORE "
            "(a folder or s3://bucket/prefix)"
        )
    with scratch_dir(release.state.work, "publish") as scratch:
        tar = release.local_store.fetch(digest, scratch)
        statement = release.local_store.provenance(digest)
        if statement is None:
            raise ArtifactError(
                f"artifact {digest} in {release.local_store.uri} has no provenance beside it (built before "
                "builds wrote one); rebuild it with `careervp-ci build`, then publish it"
            )
        release.store.put(tar)
        release.store.put_provenance(digest, statement)
    return digest
