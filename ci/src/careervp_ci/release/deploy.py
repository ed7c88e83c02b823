"""Deploy exactly one digest to one environment, then verify and smoke it: under the environment's lock,
through its gates, with one ledger attempt that ends once (succeeded, or which step failed and where its
evidence is, naming the way back to the last good deploy).

The gates, by road (`Road`): a deploy or promotion to an environment with `promote_from` takes only a digest
that passed verify and smoke there (one road to prod); a hotfix skips that (its ref ran the `main` bar and
the reason is recorded); a rollback takes a digest that passed in the environment itself. Behind approval, a
deploy executes exactly the approved change set (`change_sets`), refused before anything starts when the
stack changed since the review or the change set is gone; a rollback there needs no fresh approval when the
digest was approved for the environment before, and updates the stack directly."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from careervp_ci.release import attempts, change_sets
from careervp_ci.release.approvals import ChangeSummary, approved
from careervp_ci.release.artifact import Digest, parse_digest
from careervp_ci.release.checks import run_smoke
from careervp_ci.release.cloudformation import (
    AwsSession,
    DeployError,
    StackFiles,
    deploy_stack,
    outputs,
)
from careervp_ci.release.context import ReleaseContext, new_run
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.ledger import Entry, Outcome, now, operator
from careervp_ci.release.locking import environment_lock
from careervp_ci.release.scratch import host
from careervp_ci.release.session import aws_env, execution_role, open_session
from careervp_ci.release.smoke import smoke_failure, smoke_passed, smoke_summary
from careervp_ci.release.spa import SpaError, publish_spa
from careervp_ci.release.target_secrets import require_webhook_secret, store_model_key
from careervp_ci.release.targets import MODEL_KEY_SECRET, Target
from careervp_ci.release.verify import run_verifier

Road = Literal["deploy", "hotfix", "rollback"]
"""How a digest comes to an environment: deploy (and promote), hotfix, or rollback (see the docstring)."""


@dataclass(frozen=True)
class Deployed:
    env: str
    digest: Digest
    commit: str
    outputs: dict[str, str]
    smoke: list[str]
    verify: str


def deploy(
    release: ReleaseContext,
    env: str,
    digest_text: str,
    *,
    approval: Path | None = None,
    ref: str = "",
    note: str = "",
    road: Road = "deploy",
    by: str = "",
) -> Deployed:
    """Deploy exactly `digest_text` to `env`, then verify and smoke it; `ref` (the git ref label), `note`
    (e.g. a recorded override), the road and who ran it (`by`, default `ledger.operator`) are recorded."""
    digest = parse_digest(digest_text)
    target = release.target_for(env)
    if road == "deploy":
        require_passed_before(release, target, digest)
    secrets = release.require_secrets(target, deploying=True)
    run = new_run()
    with environment_lock(
        release.store.backend, env, run=run, operation=road, digest=str(digest), log=release.log
    ) as lock:
        attempts.close_interrupted(release, target, lock)
        return _deploy_locked(
            release,
            target,
            digest,
            secrets,
            approval=approval,
            run=run,
            ref=ref,
            note=note,
            road=road,
            by=by or operator(),
        )


def require_passed_before(release: ReleaseContext, target: Target, digest: Digest) -> None:
    """One road: an environment with `promote_from` takes only a digest that passed verify and smoke there
    (ReleaseFailed otherwise, before anything is touched)."""
    source = target.promote_from
    if source is None or any(
        entry.succeeded and entry.digest == str(digest) for entry in release.ledger.entries(source)
    ):
        return
    raise ReleaseFailed(
        f"{target.name} takes only digests that passed verify and smoke in {source}, and {digest} never did "
        f"(ledger of {release.store.uri}); deploy it to {source} first and promote it "
        f"(`careervp-ci promote --from {source} --to {target.name}`), or ship a fix with "
        "`careervp-ci hotfix` (which runs the main bar); nothing was deployed"
    )


def _deploy_locked(
    release: ReleaseContext,
    target: Target,
    digest: Digest,
    secrets: dict[str, str],
    *,
    approval: Path | None,
    run: str,
    ref: str,
    note: str,
    road: Road,
    by: str,
) -> Deployed:
    current = release.ledger.current(target.name)
    approved_by, reviewed = "", None
    if target.requires_approval:
        # A rollback goes back to a digest approved for this environment before, whatever ran since.
        baseline = None if road == "rollback" else (current.digest if current else "")
        record, summary = approved(release.store.backend, target.name, digest, baseline, approval)
        approved_by = str(record["approved_by"])
        release.log(f"approved by {approved_by} at {record['approved_at']}")
        reviewed = None if road == "rollback" else require_change_set(summary)
    # Every road (deploy, promote, hotfix, rollback) passes here: `proven` refuses an artifact whose
    # provenance does not prove its digest and commit, before the session touches anything.
    with release.proven(digest) as (bundle, manifest), open_session(target, secrets) as session:
        commit = str(manifest.get("commit", "unknown"))
        if reviewed is not None:
            change_sets.refuse_unless_as_reviewed(session, reviewed)
        require_webhook_secret(target, session)
        store_model_key(target, session, secrets[MODEL_KEY_SECRET], release.log)
        attempt = Entry(
            env=target.name,
            digest=str(digest),
            commit=commit,
            time=now(),
            outcome="started",
            target=target.kind,
            detail=note,
            run=run,
            ref=ref,
            approved_by=approved_by,
            host=host(),
            road=road,
            by=by,
        )
        attempts.record(release, target, attempt)
        try:
            return _deploy_started(
                release,
                target,
                digest,
                secrets=secrets,
                session=session,
                bundle=bundle,
                attempt=attempt,
                reviewed=reviewed,
            )
        except (KeyboardInterrupt, SystemExit):
            attempts.end(release, attempt, "interrupted", "stopped by a signal or Ctrl-C")
            raise


def _deploy_started(
    release: ReleaseContext,
    target: Target,
    digest: Digest,
    *,
    secrets: dict[str, str],
    session: AwsSession,
    bundle: Path,
    attempt: Entry,
    reviewed: ChangeSummary | None,
) -> Deployed:
    """The stack (the reviewed change set executed, when there is one), its SPA, verify and smoke; the
    first that fails ends the attempt with its evidence."""
    log = release.log
    log(f"deploying {digest} (commit {attempt.commit[:12]}, run {attempt.run}) to {target.describe()}")
    tags = {"digest": str(digest), "commit": attempt.commit, "ref": attempt.ref, "run": attempt.run}

    def failed(outcome: Outcome, detail: str, evidence: dict[str, str], what: str) -> ReleaseFailed:
        """End the attempt with its evidence; the error says `what`, where the evidence is, the way back."""
        where = attempts.save_evidence(release, attempt, bundle, evidence)
        attempts.end(release, attempt, outcome, detail, where)
        return ReleaseFailed(attempts.way_back(release, target, what + where))

    files = StackFiles.find(bundle / "assembly", target.stack_name)
    role_arn = execution_role(target, session)
    try:
        stack = (
            deploy_stack(files, session, log, tags, role_arn=role_arn)
            if reviewed is None or reviewed.changes_nothing
            else change_sets.execute(files, session, reviewed.change_set_arn, log, role_arn=role_arn)
        )
    except DeployError as error:
        evidence = {
            "error.txt": f"{error}\n{error.rollback}\n",
            "stack-events.json": json.dumps(error.events, indent=2, default=str),
        }
        raise failed(
            "deploy-failed",
            str(error),
            evidence,
            (
                f"deploy of {digest} to {target.name} failed: {error}\n{error.rollback}; "
                "the error, stack events, assembly and log are in "
            ),
        ) from error
    stack_outputs = outputs(stack)
    emulated = target.kind == "emulator"
    try:
        publish_spa(session, bundle, stack_outputs, target.stack_env, attempt.run, emulator=emulated, log=log)
    except (SpaError, ClientError, BotoCoreError) as error:
        raise failed(
            "deploy-failed",
            f"SPA: {error}",
            {"spa.txt": f"{error}\n"},
            f"the SPA of {digest} could not be published: {error}\nevidence: ",
        ) from error
    verdict = run_verifier(release.repo, target.stack_env, bundle / "assembly", aws_env(session))
    log(f"verify: {verdict.summary}")
    if not verdict.ok:
        raise failed(
            "verify-failed",
            verdict.summary,
            {"verify.txt": verdict.output},
            f"verify failed: {verdict.summary}\n{verdict.output[-2000:]}\nevidence: ",
        )
    smoke = run_smoke(target, session, stack_outputs, secrets, attempt.commit, repo=release.repo, log=log)
    if not smoke_passed(smoke):
        raise failed(
            "smoke-failed",
            smoke_failure(smoke),
            {"smoke.txt": "\n".join(smoke) + "\n"},
            "smoke failed:\n" + "\n".join(smoke) + "\nevidence: ",
        )
    attempts.end(release, attempt, "succeeded", smoke_summary(smoke))
    return Deployed(target.name, digest, attempt.commit, stack_outputs, smoke, verdict.output)


def require_change_set(summary: ChangeSummary) -> ChangeSummary:
    """The approved summary, which must name the change set to execute."""
    if not summary.change_set_arn:
        raise ReleaseFailed(
            f"the approval of {summary.digest} for {summary.env} approves no change set (it was made before "
            "deploys executed the reviewed change set); make and review one with `careervp-ci change-set "
            f"--env {summary.env} --artifact {summary.digest}`, approve it, then deploy"
        )
    return summary
