"""The road to an approval-gated environment: the change-set summary of a digest against what runs there,
its approval (citing the reviewed summary), and promotion of the digest that passed in the environment
before it."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.release.approvals import (
    ChangeSummary,
    check_summary,
    load_summary,
    summarize,
    write_approval,
)
from careervp_ci.release.artifact import parse_digest
from careervp_ci.release.cloudformation import StackFiles, deployed_template
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.deploy import Deployed, deploy
from careervp_ci.release.errors import ReleaseFailed, ReleaseRefused, doing
from careervp_ci.release.session import live, open_session
from careervp_ci.release.store import StoreError


def change_set(release: ReleaseContext, env: str, artifact: str) -> ChangeSummary:
    """The artifact's template for env's stack against the live one, approving nothing.

    Read access only: an AWS target needs credentials but not the deploy secrets, so the CI job that
    makes it holds a read-only role and no secret."""
    digest = parse_digest(artifact)
    target = release.target_for(env)
    release.require_credentials(target)
    current = release.ledger.current(env)
    with release.unpacked(digest) as (bundle, _), open_session(target) as session:
        new = StackFiles.find(bundle / "assembly", target.stack_name).template_dict()
        old = deployed_template(session, target.stack_name)
    baseline = current.digest if current else ""
    return summarize(env, digest, target.stack_name, new=new, old=old, baseline=baseline)


def approve(
    release: ReleaseContext, env: str, artifact: str, summary: Path | None, approver: str | None
) -> tuple[list[str], str]:
    """Approve `summary` if it still describes the change (same env and digest, baseline current, not
    edited), or a summary made now; the approval (in the store) cites the summary's sha256."""
    fresh = change_set(release, env, artifact)
    if summary is not None:
        check_summary(summary, load_summary(summary), fresh)
    with doing("could not store the approval", StoreError):
        return fresh.lines(), write_approval(release.store.backend, fresh, approver)


def promote(release: ReleaseContext, source: str, dest: str, *, approval: Path | None = None) -> Deployed:
    """Deploy to `dest` the digest that last passed verify and smoke in `source` (from the ledger),
    refusing if the live `source` stack no longer runs it."""
    origin = release.target_for(source)
    target = release.target_for(dest)
    if target.promote_from and target.promote_from != source:
        raise ReleaseRefused(f"{dest} accepts promotions from {target.promote_from} only, not from {source}")
    release.require_persistent(origin, "promote from")
    release.require_credentials(origin)
    good = release.ledger.last_good(source)
    if good is None:
        raise ReleaseFailed(
            f"{source} has no digest that passed verify and smoke in the ledger of {release.store.uri}; "
            "deploy one there first (or pass the store that holds its history: --store)"
        )
    with open_session(origin) as session:
        running = live(origin, session)
    if running.digest != good.digest:
        raise ReleaseFailed(
            f"{source} no longer runs the digest that passed there: the ledger's last good deploy is "
            f"{good.digest} ({good.time}), the live stack {origin.stack_name} runs {running.digest} (run "
            f"{running.run or '?'}); verify and smoke what {source} runs, or redeploy the good one, "
            "then promote"
        )
    release.log(f"promoting {good.digest} (passed in {source} at {good.time}, live there) to {dest}")
    return deploy(release, dest, good.digest, approval=approval, ref=good.ref)
