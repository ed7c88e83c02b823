"""The road to an approval-gated environment: the change set of a digest on the stack there and its review,
its approval (citing the reviewed summary and change set), and promotion of the digest that passed in the
environment before it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from careervp_ci.release import change_sets
from careervp_ci.release.approvals import (
    ApprovalError,
    ChangeSummary,
    check_summary,
    load_summary,
    summarize,
    write_approval,
)
from careervp_ci.release.artifact import Digest, parse_digest
from careervp_ci.release.change_review import review_resources
from careervp_ci.release.cloudformation import AwsSession, DeployError, StackFiles, deployed_template
from careervp_ci.release.context import ReleaseContext, new_run
from careervp_ci.release.deploy import Deployed, deploy
from careervp_ci.release.errors import ReleaseFailed, ReleaseRefused, doing
from careervp_ci.release.session import execution_role, live, open_session
from careervp_ci.release.store import StoreError


def change_set(release: ReleaseContext, env: str, artifact: str) -> ChangeSummary:
    """Create a CloudFormation change set of the artifact's template on env's stack and review it
    (approving nothing). The change set is what an approved deploy executes.

    No deploy secrets: the CI job that makes it holds a role that may publish assets and create change sets
    on prod's stack but not execute them, and no secret."""
    digest = parse_digest(artifact)
    target = release.target_for(env)
    release.require_persistent(target, "change-set")
    release.require_credentials(target)
    current = release.ledger.current(env)
    with release.unpacked(digest) as (bundle, manifest), open_session(target) as session:
        files = StackFiles.find(bundle / "assembly", target.stack_name)
        stack = change_sets.current_stack(session, target.stack_name)
        tags = {
            "digest": str(digest),
            "commit": str(manifest.get("commit", "unknown")),
            "ref": promoted_ref(release, target.promote_from, str(digest)),
            "run": new_run(),
        }
        with doing(f"could not make the change set of {digest} for {env}", DeployError):
            arn = change_sets.create(
                files,
                session,
                release.log,
                name=change_sets.name_for(env, digest.hex, tags["run"]),
                tags=tags,
                exists=stack is not None,
                role_arn=execution_role(target, session),
            )
        return _review(
            release,
            env=target.name,
            digest=digest,
            files=files,
            session=session,
            baseline=current.digest if current else "",
            arn=arn,
        )


def promoted_ref(release: ReleaseContext, source: str | None, digest: str) -> str:
    """The git ref the digest passed `source` with (the ledger's), which its promotion records; '' if none.
    A change set sets the stack's tags when it is made, so it carries the ref a promotion would."""
    passed = (
        [e for e in release.ledger.entries(source) if e.succeeded and e.digest == digest] if source else []
    )
    return passed[-1].ref if passed else ""


def review_again(release: ReleaseContext, env: str, artifact: str, arn: str) -> ChangeSummary:
    """The review of the existing change set `arn`, made now: what `approve` holds a reviewed one against."""
    digest = parse_digest(artifact)
    target = release.target_for(env)
    release.require_credentials(target)
    current = release.ledger.current(env)
    with release.unpacked(digest, code=False) as (bundle, _), open_session(target) as session:
        files = StackFiles.find(bundle / "assembly", target.stack_name)
        return _review(
            release,
            env=target.name,
            digest=digest,
            files=files,
            session=session,
            baseline=current.digest if current else "",
            arn=arn,
        )


def _review(
    release: ReleaseContext,
    *,
    env: str,
    digest: Digest,
    files: StackFiles,
    session: AwsSession,
    baseline: str,
    arn: str,
) -> ChangeSummary:
    whole = change_sets.description(session, arn)
    if whole is None:
        raise ApprovalError(
            f"change set {arn} is gone (deleted, or dropped after another change to {files.stack_name}); "
            f"make and review a new one: careervp-ci change-set --env {env} --artifact {digest}"
        )
    empty = change_sets.changes_nothing(whole)
    if whole.get("Status") == "FAILED" and not empty:
        raise ReleaseFailed(
            f"CloudFormation could not make change set {arn}: "
            f"{whole.get('StatusReason') or 'no reason given'}; nothing was changed"
        )
    new = files.template_dict()
    old = deployed_template(session, files.stack_name)
    stack = change_sets.current_stack(session, files.stack_name)
    summary = summarize(env, digest, files.stack_name, new=new, old=old, baseline=baseline)
    review = replace(
        summary,
        change_set_arn=arn,
        description_sha256=change_sets.description_sha256(whole),
        stack_sha256=change_sets.stack_sha256(stack, old),
        resources=review_resources(whole.get("Changes", []), old, new, session.region),
        changes_nothing=empty,
    )
    release.log(
        f"change set {arn}: "
        + (
            "no changes (the deploy only retags the stack)"
            if empty
            else f"{len(review.resources)} resource changes"
        )
    )
    return review


def approve(
    release: ReleaseContext,
    env: str,
    artifact: str,
    summary: Path | None,
    approver: str | None,
    *,
    allow_replacement: list[str] | None = None,
) -> tuple[list[str], str]:
    """Approve `summary` if it still describes its change set (same env and digest, stack unchanged, change
    set described the same, not edited), or a change set made now; the approval (in the store) cites the
    summary's sha256 and the change set. A stateful replacement needs `allow_replacement` to name it."""
    if summary is None:
        fresh = change_set(release, env, artifact)
    else:
        reviewed = load_summary(summary)
        if not reviewed.change_set_arn:
            raise ApprovalError(
                f"change-set summary {summary} names no change set (made before change sets were "
                f"executed as reviewed); make a new one with `careervp-ci change-set --env {env} "
                f"--artifact {artifact}`"
            )
        fresh = review_again(release, env, artifact, reviewed.change_set_arn)
        check_summary(summary, reviewed, fresh)
    with doing("could not store the approval", StoreError):
        return fresh.lines(), write_approval(release.store.backend, fresh, approver, allow_replacement)


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
