"""The release commands, tying the modules together: build, publish, deploy, verify, smoke, promote,
change-set, approve, destroy. Every command checks its inputs (digest, environment, secrets, lock, approval)
before it touches anything, so a refusal leaves the environment and the ledger exactly as they were.

Shared state lives in the artifact store (`--store` / $CAREERVP_ARTIFACT_STORE; default the local folder):
the ledger, approvals, locks and failure evidence, so a command on another runner or clone sees them. The
stack itself says what it runs (its `careervp:*` tags): verify, smoke and promote read that, not a file
on the machine that deployed.

Errors: `ReleaseRefused` (bad usage or configuration: exit 2) and `ReleaseFailed` (a gate said no or a
deploy/verify/smoke failed: exit 1). Both carry a message that names the problem and the next step.
"""

from __future__ import annotations

import json
import os
import secrets as tokens
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from careervp.resources import (
    ANTHROPIC_API_KEY_SECRET,
    BUCKETS,
    ENV_VAR_ANTHROPIC_API_KEY_ARN,
    ENV_VAR_ANTHROPIC_BASE_URL,
    ENV_VAR_RESEARCH_ALLOWED_HOSTS,
    ENV_VAR_USER_POOL_ID,
    METRICS_NAMESPACE,
    STRIPE_WEBHOOK_SECRET,
    TABLES,
    Secret,
)
from careervp_infra.naming import Service, physical_name
from careervp_local.fixture_site import serve_fixture_site
from careervp_local.http_server import serve_locally
from careervp_local.messages_standin import serve_messages_standin
from careervp_local.signin import SignInFailed

from careervp_ci.errors import CareervpError, UsageError
from careervp_ci.history import RefError, resolve_commit
from careervp_ci.pipeline import phases
from careervp_ci.release import drift as drifts
from careervp_ci.release import emulator
from careervp_ci.release.approvals import (
    ApprovalError,
    ChangeSummary,
    check_approval,
    check_summary,
    load_summary,
    summarize,
    write_approval,
)
from careervp_ci.release.artifact import ArtifactError, Digest, parse_digest, unpack, verify_unpacked
from careervp_ci.release.build import BuildError, BuildResult, build
from careervp_ci.release.cloudformation import (
    AwsSession,
    DeployError,
    StackFiles,
    delete_stack,
    deploy_stack,
    deployed_template,
    describe,
    outputs,
    stack_tags,
)
from careervp_ci.release.drift import DriftReport
from careervp_ci.release.feature_checks import CHECKS as FEATURE_CHECKS
from careervp_ci.release.feature_checks import DeployedTarget, FeatureCheck, run_feature_checks
from careervp_ci.release.gitref import worktree
from careervp_ci.release.ledger import Entry, Ledger, LedgerError, Outcome, now
from careervp_ci.release.locking import EnvironmentBusyError, Lock, environment_lock
from careervp_ci.release.scratch import host, reclaim, scratch_dir
from careervp_ci.release.smoke import (
    SECRET_ENV,
    Check,
    checks_for,
    run_checks,
    smoke_failure,
    smoke_passed,
    smoke_summary,
)
from careervp_ci.release.smoke_plan import plan_smoke
from careervp_ci.release.smoke_user import NoUserPool, SmokeUser, signed_in, user_pool
from careervp_ci.release.spa import SpaError, publish_spa
from careervp_ci.release.spa_smoke import REPORTS_ENV as SMOKE_REPORTS_ENV
from careervp_ci.release.spa_smoke import serve_deployed_spa
from careervp_ci.release.state import StateDir
from careervp_ci.release.store import Store, StoreError, open_store
from careervp_ci.release.targets import (
    MODEL_KEY_SECRET,
    REQUIRED_SECRETS,
    Target,
    TargetError,
    get_target,
)
from careervp_ci.release.verify import run_verifier

Log = Callable[[str], None]
EVIDENCE_README = "README.txt"
"""What `evidence` writes when there is nothing to copy, so the folder a workflow uploads says why."""


def smoke_checks(phase: str | None = None) -> tuple[tuple[Check, ...], tuple[FeatureCheck, ...]]:
    """The smoke of every phase, or of `phase`: its checks over HTTP (release.smoke) and its checks of the
    deployed stack (release.feature_checks); a PhaseNotImplemented names a phase that has none."""
    features = phases.smoke_features(phase)
    on_the_stack = {check.feature for check in FEATURE_CHECKS}
    http = [feature for feature in features if feature not in on_the_stack]
    deployed = tuple(check for check in FEATURE_CHECKS if check.feature in features)
    return (checks_for(http) if http else ()), deployed


class ReleaseRefused(UsageError):
    """Bad usage or configuration; nothing was touched (exit 2)."""


class ReleaseFailed(CareervpError):
    """A gate refused or a deploy, verify or smoke failed (exit 1)."""


def stderr_log(message: str) -> None:
    print(f"[release] {message}", file=sys.stderr, flush=True)


def new_run() -> str:
    """A release attempt's id: sortable by time, unique across runners."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{tokens.token_hex(4)}"


@dataclass(frozen=True)
class Deployed:
    env: str
    digest: Digest
    commit: str
    outputs: dict[str, str]
    smoke: list[str]
    verify: str


@dataclass(frozen=True)
class Live:
    """What a live stack says it runs (its tags)."""

    stack: dict[str, Any]
    digest: str
    commit: str
    ref: str
    run: str


@dataclass
class Release:
    state: StateDir
    repo: Path
    """The source tree whose verifier and local API the post-deploy checks use."""
    log: Log = stderr_log
    store_uri: str | None = None
    lines: list[str] = field(default_factory=list)
    """Everything this command logged: the failure evidence's `log.txt`."""

    def __post_init__(self) -> None:
        sink = self.log

        def tee(message: str) -> None:
            self.lines.append(f"{now()} {message}")
            sink(message)

        self.log = tee

    @cached_property
    def store(self) -> Store:
        try:
            return open_store(self.store_uri, self.state.root)
        except ArtifactError as error:
            raise ReleaseRefused(str(error)) from None

    @cached_property
    def local_store(self) -> Store:
        """Where `build` keeps what it built on this machine (`<state>/artifacts`)."""
        return open_store(None, self.state.root)

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.store.backend)

    # -- inputs ---------------------------------------------------------------------------------------------

    def _digest(self, text: str) -> Digest:
        try:
            return parse_digest(text)
        except ArtifactError as error:
            raise ReleaseRefused(str(error)) from None

    def target_for(self, env: str) -> Target:
        try:
            return get_target(env)
        except TargetError as error:
            raise ReleaseRefused(str(error)) from None

    def _require_secrets(self, target: Target, *, deploying: bool = False) -> dict[str, str]:
        """The secrets the command needs from the environment; a deploy (`deploying`) also needs the model
        API key it stores (`targets.MODEL_KEY_SECRET`), except on an emulator, where none given is '' (the
        deploy keeps the emulator's key, or makes a throwaway one)."""
        wanted = (*REQUIRED_SECRETS, *([MODEL_KEY_SECRET] if deploying else []))
        optional = {MODEL_KEY_SECRET} if target.kind == "emulator" else set()
        if target.ephemeral:
            # Its emulator lives and dies with this command: a throwaway secret made here serves it (the one
            # in the environment, if any, is used instead); nothing is printed.
            found = {name: os.environ.get(name) or tokens.token_urlsafe(32) for name in REQUIRED_SECRETS}
            return found | {name: os.environ.get(name, "") for name in wanted if name in optional}
        missing = [name for name in wanted if not os.environ.get(name) and name not in optional]
        if missing:
            raise ReleaseRefused(
                f"missing secret {', '.join(missing)} for {target.name}: set it in the environment (CI: the "
                "environment's secret) before deploying; nothing was deployed"
            )
        self._require_credentials(target)
        return {name: os.environ.get(name, "") for name in wanted}

    def _require_credentials(self, target: Target) -> None:
        if target.kind != "aws":
            return
        try:
            found = boto3.session.Session().get_credentials()
        except BotoCoreError as error:
            raise ReleaseRefused(
                f"the AWS credentials for {target.name} cannot be read: {error}; nothing was touched"
            ) from None
        if found is None:
            raise ReleaseRefused(
                f"missing AWS credentials for {target.name}: no credentials in the environment (OIDC "
                "role, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); nothing was touched"
            )

    # -- artifacts ------------------------------------------------------------------------------------------

    @contextmanager
    def _unpacked(self, digest: Digest) -> Iterator[tuple[Path, dict[str, Any]]]:
        """The artifact fetched from the store, digest re-checked, unpacked and checked file by file."""
        reclaim(self.state.work)
        with scratch_dir(self.state.work, "artifact") as scratch:
            try:
                tar = self.store.fetch(digest, scratch)
                bundle = scratch / "bundle"
                unpack(tar, bundle)
                tar.unlink()
                manifest = verify_unpacked(bundle)
            except (ArtifactError, StoreError) as error:
                raise ReleaseFailed(str(error)) from None
            yield bundle, manifest

    def build(
        self, src: Path | None = None, ref: str | None = None, commit: str | None = None
    ) -> BuildResult:
        """Build into the local store, and into the given store too (checking and healing what is there):
        the tree at `src` as it is (recording `commit` when given; the repository's tree when only `commit`
        is), or else a fresh worktree of `ref` (default HEAD)."""
        reclaim(self.state.work)
        if commit is not None and ref is not None:
            raise ReleaseRefused(
                f"build takes --ref {ref!r} or --commit {commit!r}, not both: --ref checks a commit out, "
                "--commit names the commit a tree already is"
            )
        try:
            with scratch_dir(self.state.work, "build") as scratch:
                if src is not None or commit is not None:
                    tree = src if src is not None else self.repo
                    result = build(tree, scratch / "artifact.tar", self.state.cache, self.log, commit)
                else:
                    commit = resolve_commit(self.repo, ref or "HEAD")
                    with worktree(self.repo, commit) as tree:
                        result = build(tree, scratch / "artifact.tar", self.state.cache, self.log)
                self.local_store.put(result.tar_path)
                if self.store_uri:
                    self.store.put(result.tar_path)
        except RefError as error:
            raise ReleaseRefused(str(error)) from None
        except BuildError as error:
            raise ReleaseFailed(str(error)) from None
        except StoreError as error:
            raise ReleaseFailed(f"built {result.digest} but could not store it: {error}") from None
        return result

    def publish(self, digest_text: str) -> Digest:
        """Copy an artifact built here (`<state>/artifacts`) into the store, healing a corrupt copy there."""
        digest = self._digest(digest_text)
        if not self.store_uri:
            raise ReleaseRefused(
                "publish needs a store to publish to: --store URI or $CAREERVP_ARTIFACT_STORE "
                "(a folder or s3://bucket/prefix)"
            )
        with scratch_dir(self.state.work, "publish") as scratch:
            try:
                tar = self.local_store.fetch(digest, scratch)
                self.store.put(tar)
            except (ArtifactError, StoreError) as error:
                raise ReleaseFailed(str(error)) from None
        return digest

    # -- targets --------------------------------------------------------------------------------------------

    @contextmanager
    def _session(self, target: Target, secrets: dict[str, str] | None = None) -> Iterator[AwsSession]:
        """boto3 bound to the target. With `secrets` (a deploy) an emulator is first bootstrapped like an
        AWS account (release.emulator); without, the session only reads."""
        if target.kind == "aws":
            session = AwsSession(region=target.region)
            session.resolve_account()
            yield session
            return
        with _endpoint(target) as endpoint:
            session = AwsSession(
                region=target.region,
                endpoint=endpoint,
                credentials=dict(emulator.EMULATOR_CREDENTIALS),
                account=emulator.EMULATOR_ACCOUNT,
            )
            if secrets is not None:
                emulator.bootstrap(session, [_webhook_secret_name(target)], secrets[SECRET_ENV])
            yield session

    def _aws_env(self, session: AwsSession) -> dict[str, str]:
        env = {"AWS_REGION": session.region, "AWS_DEFAULT_REGION": session.region, **session.credentials}
        if session.endpoint:
            env["AWS_ENDPOINT_URL"] = session.endpoint
        return env

    def live(self, target: Target, session: AwsSession) -> Live:
        """What the target's stack runs, from its tags; ReleaseFailed when there is no stack or no tag."""
        stack = describe(session, target.stack_name)
        if stack is None:
            raise ReleaseFailed(
                f"{target.describe()} has no stack {target.stack_name}; deploy one first "
                f"(careervp-ci deploy --env {target.name} --artifact sha256:...)"
            )
        tags = stack_tags(stack)
        if not tags.get("digest"):
            raise ReleaseFailed(
                f"{target.stack_name} carries no careervp:digest tag, so it does not say which artifact it "
                f"runs (deployed before stacks were tagged, or by hand); redeploy it with careervp-ci deploy"
            )
        return Live(stack, tags["digest"], tags.get("commit", ""), tags.get("ref", ""), tags.get("run", ""))

    # -- deploy ---------------------------------------------------------------------------------------------

    def deploy(
        self,
        env: str,
        digest_text: str,
        *,
        approval: Path | None = None,
        ref: str = "",
        note: str = "",
    ) -> Deployed:
        """Deploy exactly `digest_text` to `env`, then verify and smoke it; `ref` (the git ref label) and
        `note` (e.g. a recorded override) go into the ledger."""
        digest = self._digest(digest_text)
        target = self.target_for(env)
        secrets = self._require_secrets(target, deploying=True)
        run = new_run()
        try:
            with environment_lock(
                self.store.backend, env, run=run, operation="deploy", digest=str(digest), log=self.log
            ) as lock:
                self._close_interrupted(target, lock)
                return self._deploy_locked(
                    target, digest, secrets=secrets, approval=approval, run=run, ref=ref, note=note
                )
        except EnvironmentBusyError as error:
            raise ReleaseFailed(str(error)) from None
        except (LedgerError, StoreError) as error:
            raise ReleaseFailed(str(error)) from None

    def _close_interrupted(self, target: Target, lock: Lock) -> None:
        """Record the dead holder's attempt as interrupted (its process can no longer do it)."""
        old = lock.taken_over
        if not old or not old.get("run"):
            return
        started = self.ledger.open_attempt(target.name, str(old["run"]))
        if started is not None:
            self._record(
                target,
                Entry(
                    **{
                        **started.__dict__,
                        "time": now(),
                        "outcome": "interrupted",
                        "detail": f"its process died (pid {old.get('pid')} on {old.get('host')}); "
                        f"the lock was taken over by run {lock.record['run']}",
                        "host": host(),
                    }
                ),
            )

    def _deploy_locked(
        self,
        target: Target,
        digest: Digest,
        *,
        secrets: dict[str, str],
        approval: Path | None,
        run: str,
        ref: str,
        note: str,
    ) -> Deployed:
        current = self.ledger.current(target.name)
        approved_by = ""
        if target.requires_approval:
            try:
                record = check_approval(
                    self.store.backend, target.name, digest, current.digest if current else "", approval
                )
            except ApprovalError as error:
                raise ReleaseFailed(str(error)) from None
            approved_by = str(record["approved_by"])
            self.log(f"approved by {approved_by} at {record['approved_at']}")
        with self._unpacked(digest) as (bundle, manifest), self._session(target, secrets) as session:
            commit = str(manifest.get("commit", "unknown"))
            self._require_target_secret(target, session)
            self._store_model_key(target, session, secrets[MODEL_KEY_SECRET])
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
            )
            self._record(target, attempt)
            try:
                return self._deploy_started(
                    target, digest, secrets=secrets, session=session, bundle=bundle, attempt=attempt
                )
            except (KeyboardInterrupt, SystemExit):
                self._end(attempt, "interrupted", "stopped by a signal or Ctrl-C")
                raise

    def _deploy_started(
        self,
        target: Target,
        digest: Digest,
        *,
        secrets: dict[str, str],
        session: AwsSession,
        bundle: Path,
        attempt: Entry,
    ) -> Deployed:
        self.log(
            f"deploying {digest} (commit {attempt.commit[:12]}, run {attempt.run}) to {target.describe()}"
        )
        tags = {"digest": str(digest), "commit": attempt.commit, "ref": attempt.ref, "run": attempt.run}
        try:
            files = StackFiles.find(bundle / "assembly", target.stack_name)
            stack = deploy_stack(files, session, self.log, tags)
        except DeployError as error:
            evidence = {
                "error.txt": f"{error}\n{error.rollback}\n",
                "stack-events.json": json.dumps(error.events, indent=2, default=str),
            }
            where = self._evidence(attempt, bundle, evidence)
            self._end(attempt, "deploy-failed", str(error), where)
            raise ReleaseFailed(
                self._failure(
                    target,
                    f"deploy of {digest} to {target.name} failed: {error}\n{error.rollback}; "
                    f"the error, stack events, assembly and log are in {where}",
                )
            ) from None
        stack_outputs = outputs(stack)
        try:
            publish_spa(
                session,
                bundle,
                stack_outputs,
                target.stack_env,
                attempt.run,
                emulator=target.kind == "emulator",
                log=self.log,
            )
        except (SpaError, ClientError, BotoCoreError) as error:
            where = self._evidence(attempt, bundle, {"spa.txt": f"{error}\n"})
            self._end(attempt, "deploy-failed", f"SPA: {error}", where)
            raise ReleaseFailed(
                self._failure(
                    target, f"the SPA of {digest} could not be published: {error}\nevidence: {where}"
                )
            ) from None
        verdict = run_verifier(self.repo, target.stack_env, bundle / "assembly", self._aws_env(session))
        self.log(f"verify: {verdict.summary}")
        if not verdict.ok:
            where = self._evidence(attempt, bundle, {"verify.txt": verdict.output})
            self._end(attempt, "verify-failed", verdict.summary, where)
            raise ReleaseFailed(
                self._failure(
                    target, f"verify failed: {verdict.summary}\n{verdict.output[-2000:]}\nevidence: {where}"
                )
            )
        smoke = self._smoke(target, session, stack_outputs, secrets, attempt.commit)
        if not smoke_passed(smoke):
            where = self._evidence(attempt, bundle, {"smoke.txt": "\n".join(smoke) + "\n"})
            self._end(attempt, "smoke-failed", smoke_failure(smoke), where)
            raise ReleaseFailed(
                self._failure(target, "smoke failed:\n" + "\n".join(smoke) + f"\nevidence: {where}")
            )
        self._end(attempt, "succeeded", smoke_summary(smoke))
        return Deployed(target.name, digest, attempt.commit, stack_outputs, smoke, verdict.output)

    def _record(self, target: Target, entry: Entry) -> None:
        try:
            self.ledger.record(entry)
        except (LedgerError, StoreError) as error:
            raise ReleaseFailed(f"could not write the ledger of {target.name}: {error}") from None

    def _end(self, attempt: Entry, outcome: Outcome, detail: str, evidence: str = "") -> None:
        """The attempt's one ending record (the note it started with is kept)."""
        text = "; ".join(part for part in (attempt.detail, detail) if part)
        ending = Entry(**{**attempt.__dict__, "time": now(), "outcome": outcome, "detail": text})
        self.ledger.record(Entry(**{**ending.__dict__, "evidence": evidence}))

    def _evidence(self, attempt: Entry, bundle: Path, files: dict[str, str]) -> str:
        """Save what explains a failure: locally (`<state>/reports/<env>/<run>/`, for the Dagger function
        to return) and in the store under the run's record (`runs/<env>/<run>/`). Returns the store's
        location. The assembly is saved without its code assets (they are in the artifact, by digest)."""
        report = self.state.reports / attempt.env / attempt.run
        report.mkdir(parents=True, exist_ok=True)
        for name, text in {**files, "log.txt": "\n".join(self.lines) + "\n"}.items():
            (report / name).write_text(text, encoding="utf-8")
        shutil.copytree(
            bundle / "assembly",
            report / "assembly",
            ignore=shutil.ignore_patterns("asset.*"),
            dirs_exist_ok=True,
        )
        prefix = f"runs/{attempt.env}/{attempt.run}"
        try:
            for path in sorted(report.rglob("*")):
                if path.is_file():
                    self.store.backend.upload(f"{prefix}/{path.relative_to(report).as_posix()}", path)
        except StoreError as error:
            self.log(f"could not copy the evidence into the store ({error}); it is in {report}")
            return str(report)
        self.log(f"failure evidence: {self.store.backend.where(prefix)} (and {report})")
        return self.store.backend.where(prefix)

    def evidence(self, env: str, run: str | None, out: Path) -> str:
        """Copy the failure evidence of `env`'s latest run (or of `run`) from the store into `out`: what a
        workflow uploads when a deploy job fails, wherever the deploy ran. A run that left none (its deploy
        succeeded and a later step failed, or it never ended) is said so in `out/README.txt` and is no
        failure: the job's verdict then names the step that broke, not this one."""
        runs = [entry for entry in self.ledger.entries(env) if entry.run]
        if run is not None and run not in {entry.run for entry in runs}:
            raise ReleaseRefused(
                f"run {run} is not in the ledger of {env} in the store {self.store.uri} "
                f"(`careervp-ci ledger --env {env}` lists the runs)"
            )
        chosen = run or (runs[-1].run if runs else "")
        last = next((entry for entry in reversed(runs) if entry.run == chosen), None)
        out.mkdir(parents=True, exist_ok=True)
        prefix = f"runs/{env}/{chosen}"
        keys = self.store.backend.keys(prefix) if last is not None and last.evidence else []
        if last is None or not keys:
            note = _no_evidence(env, last, self.store.uri)
            if others := [entry.run for entry in runs if entry.evidence and entry.run != chosen]:
                note += (
                    f"; the latest run that left some: careervp-ci evidence --env {env} --run {others[-1]}"
                )
            (out / EVIDENCE_README).write_text(note + "\n", encoding="utf-8")
            return note
        for key in keys:
            target = out / key.removeprefix(prefix + "/")
            target.parent.mkdir(parents=True, exist_ok=True)
            self.store.backend.download(key, target)
        return f"{len(keys)} evidence files of run {chosen} ({last.outcome}, {last.time}) in {out}"

    def _require_target_secret(self, target: Target, session: AwsSession) -> None:
        name = _webhook_secret_name(target)
        client = session.client("secretsmanager")
        try:
            client.describe_secret(SecretId=name)
        except client.exceptions.ResourceNotFoundException:
            raise ReleaseRefused(
                f"missing secret {name} in {target.describe()}: the stack imports it by name; create it "
                "(its value is the Stripe webhook signing secret) and deploy again; nothing was deployed"
            ) from None

    def _store_model_key(self, target: Target, session: AwsSession, value: str) -> None:
        """Put the pipeline's model API key into the secret the functions read, creating it on the first
        deploy; an unchanged value is left alone, and so is an emulator's when none is given (`value` ''),
        which gets a throwaway key if it has none. The value is never printed."""
        name = _secret_name(target, ANTHROPIC_API_KEY_SECRET)
        client = session.client("secretsmanager")
        try:
            try:
                current = client.get_secret_value(SecretId=name).get("SecretString")
            except client.exceptions.ResourceNotFoundException:
                client.create_secret(
                    Name=name,
                    SecretString=value or tokens.token_urlsafe(32),
                    Description="The Anthropic API key (careervp-ci deploy)",
                )
                self.log(f"model API key stored in the new secret {name}")
                return
            if not value:
                self.log(f"model API key in {name} kept (none given; an emulator calls no real model)")
            elif current != value:
                client.put_secret_value(SecretId=name, SecretString=value)
                self.log(f"model API key updated in {name}")
            else:
                self.log(f"model API key in {name} is current")
        except (ClientError, BotoCoreError) as error:
            raise ReleaseFailed(
                f"could not store the model API key in {name} ({type(error).__name__}: "
                f"{getattr(error, 'response', {}).get('Error', {}).get('Code', error)}); nothing was deployed"
            ) from None

    def _model_key_on(self, target: Target, session: AwsSession) -> tuple[dict[str, str], str | None]:
        """An emulator's model key secret, as the functions would read it: the variable naming its ARN, and
        the value (for the stand-in to accept only it); none when no deploy stored one."""
        name = _secret_name(target, ANTHROPIC_API_KEY_SECRET)
        client = session.client("secretsmanager")
        try:
            found = client.get_secret_value(SecretId=name)
        except client.exceptions.ResourceNotFoundException:
            self.log(f"no secret {name} on {target.name}: the routes that call the model will answer 500")
            return {}, None
        return {ENV_VAR_ANTHROPIC_API_KEY_ARN: str(found["ARN"])}, str(found.get("SecretString") or "")

    def _failure(self, target: Target, what: str) -> str:
        good = self.ledger.last_good(target.name)
        if good is None:
            return f"{what}\n{target.name} has no earlier good deploy in the ledger to go back to."
        return (
            f"{what}\nThe last good deploy of {target.name} is {good.digest} "
            f"(commit {good.commit[:12]}, {good.time}); "
            f"to go back to it: careervp-ci deploy --env {target.name} --artifact {good.digest}"
        )

    def _smoke(
        self,
        target: Target,
        session: AwsSession,
        stack_outputs: dict[str, str],
        secrets: dict[str, str],
        commit: str,
        *,
        phase: str | None = None,
    ) -> list[str]:
        """Every phase's smoke checks (a deploy), or one phase's (`smoke --phase`), as planned for the target
        (release.smoke_plan): a read-only smoke leaves out what writes, and a check that needs an input the
        target lacks is not verifiable there. Company research reads a fixture site: served here for an
        emulator, `$CAREERVP_SMOKE_FIXTURE_SITE` (a public copy) on AWS."""
        plan = plan_smoke(target, os.environ, *smoke_checks(phase))
        if plan.left_out:
            self.log(
                f'{target.name}\'s smoke is read-only (targets: smoke = "read-only"): left out, as they '
                f"write, call the model or send email: {'; '.join(plan.left_out)}"
            )
        secret = secrets[SECRET_ENV]
        with ExitStack() as stack:
            given = dict(plan.inputs)
            if target.kind != "aws":
                given["fixture_site"] = stack.enter_context(serve_fixture_site())
            pool: dict[str, str] | None = None
            if plan.signs_in:
                try:
                    user = stack.enter_context(self._smoke_user(target, session, stack_outputs))
                except ReleaseFailed as error:
                    return [f"FAIL authentication: {error}"]
                pool, given["id_token"] = user.pool, user.id_token
            base_url = stack.enter_context(
                self._served_api(target, session, stack_outputs, secret, commit, pool=pool)
            )
            results = run_checks(base_url, secret, plan.http, given) if plan.http else []
            lines = [result.line() for result in results]
            if all(result.ok for result in results):
                lines += plan.unverifiable
                spa_url = ""
                if target.kind != "aws" and any(check.feature == "frontend" for check in plan.deployed):
                    spa_url = stack.enter_context(serve_deployed_spa(session, stack_outputs, base_url))
                deployed = DeployedTarget(
                    base_url,
                    target.stack_env,
                    target.kind == "emulator",
                    session,
                    outputs=stack_outputs,
                    spa_url=spa_url,
                    reports=Path(os.environ.get(SMOKE_REPORTS_ENV) or self.repo / ".reports" / "smoke"),
                )
                lines += run_feature_checks(deployed, plan.deployed)
            return lines

    @contextmanager
    def _smoke_user(
        self, target: Target, session: AwsSession, stack_outputs: dict[str, str]
    ) -> Iterator[SmokeUser]:
        """A user of the target's pool, signed in (release.smoke_user); ReleaseFailed says why not."""
        pool = self._user_pool(target, session, stack_outputs)
        with ExitStack() as stack:
            try:
                cognito = session.client("cognito-idp")
                user = stack.enter_context(signed_in(pool, cognito, dedicated=target.read_only_smoke))
            except (SignInFailed, ClientError, BotoCoreError) as error:
                raise ReleaseFailed(f"the smoke user could not sign in ({_why(error)})") from None
            self.log(f"signed in as a smoke user of the user pool {pool[ENV_VAR_USER_POOL_ID]}")
            yield user

    def _user_pool(
        self, target: Target, session: AwsSession, stack_outputs: dict[str, str]
    ) -> dict[str, str]:
        """The target's user pool and app client (release.smoke_user); ReleaseFailed says why none."""
        try:
            return user_pool(
                target.kind, target.stack_env, stack_outputs, session.client("cognito-idp"), self.log
            )
        except (NoUserPool, ClientError, BotoCoreError) as error:
            raise ReleaseFailed(f"no user pool to sign the smoke user in to ({_why(error)})") from None

    @contextmanager
    def _served_api(
        self,
        target: Target,
        session: AwsSession,
        stack_outputs: dict[str, str],
        secret: str,
        commit: str,
        *,
        pool: dict[str, str] | None,
    ) -> Iterator[str]:
        """The environment's API base URL: the stack's ApiUrl on AWS; on an emulator (where Lambda does not
        run) the real handlers served on 127.0.0.1 against the emulator's tables and buckets, reading the
        model key from its Secrets Manager as deployed, with the Messages-API stand-in as the model, and
        checking ID tokens against `pool` (None: the target's) as the API's authorizer does."""
        if target.kind == "aws":
            yield stack_outputs["ApiUrl"]
            return
        env = {
            **self._aws_env(session),
            "CAREERVP_ENV": target.stack_env,
            "CAREERVP_VERSION": commit,
            **{table.env_var: stack_outputs[table.output] for table in TABLES},
            **{bucket.env_var: stack_outputs[bucket.output] for bucket in BUCKETS},
            ENV_VAR_RESEARCH_ALLOWED_HOSTS: "127.0.0.1",  # the fixture site it researches lives there
            SECRET_ENV: secret,
            **(pool or self._user_pool(target, session, stack_outputs)),
        }
        model_env, model_key = self._model_key_on(target, session)
        self.log("Lambda does not run in the emulator; serving the real handlers on 127.0.0.1 against it")
        with serve_messages_standin(api_key=model_key) as model:
            self.log(f"the model is the Messages-API stand-in at {model.base_url} (no real model is called)")
            env |= {**model_env, ENV_VAR_ANTHROPIC_BASE_URL: model.base_url}
            with serve_locally(env) as base_url:
                yield base_url

    def journeys(self, env: str, junit: Path | None = None) -> list[str]:
        """The happy-path suite (careervp_ci.release.e2e_suite) over HTTP against what `env` runs."""
        from careervp_ci.release.e2e import run_suite  # noqa: PLC0415 (pytest: only this command needs it)

        target = self.target_for(env)
        self._persistent(target, "journeys")
        secret = self._require_secrets(target)[SECRET_ENV]
        with self._session(target) as session:
            live = self.live(target, session)
            self.log(f"journeys against {target.describe()}, which runs {live.digest}")
            stack_outputs = outputs(live.stack)
            with (
                self._smoke_user(target, session, stack_outputs) as user,
                self._served_api(
                    target, session, stack_outputs, secret, live.commit or "unknown", pool=user.pool
                ) as url,
            ):
                result = run_suite(url, secret, user.id_token, junit)
        if not result.ok:
            raise ReleaseFailed(f"journeys {env} ({live.digest}) failed:\n" + "\n".join(result.lines))
        return result.lines

    def drift(self, env: str, coverage: Path | None = None) -> DriftReport:
        """What `env` runs against what it should: stack, monitoring, API contract, coverage and cost
        (release.drift)."""
        target = self.target_for(env)
        self._persistent(target, "drift")
        self._require_credentials(target)
        budget: dict[str, Any] | None = None
        per_request: tuple[float, float] | None = None
        with self._session(target) as session:
            live = self.live(target, session)
            digest = self._digest(live.digest)
            with self._unpacked(digest) as (bundle, _):
                new = StackFiles.find(bundle / "assembly", target.stack_name).template_dict()
                spec = bundle / "openapi.json"
                deployed_spec = json.loads(spec.read_text(encoding="utf-8")) if spec.is_file() else None
            old = deployed_template(session, target.stack_name)
            if target.kind == "aws":
                budget_name = physical_name(target.stack_env, "service", "budget", service=Service.BUDGET)
                budget = drifts.read_budget(session.client("budgets"), session.resolve_account(), budget_name)
                per_request = drifts.read_cost_per_request(
                    session.client("cloudwatch"), METRICS_NAMESPACE, datetime.now(UTC)
                )
        summary = summarize(env, digest, target.stack_name, new=new, old=old, baseline=live.digest)
        committed = self.repo / "docs" / "specs" / "openapi.json"
        committed_spec = json.loads(committed.read_text(encoding="utf-8")) if committed.is_file() else None
        try:
            baseline = drifts.read_baseline(self.store.backend)
        except StoreError as error:
            raise ReleaseFailed(
                f"could not read the coverage baseline from {self.store.uri}: {error}"
            ) from None
        rows = (
            drifts.stack_row(summary.added, summary.changed, summary.removed),
            drifts.monitoring_row(new, old),
            drifts.openapi_row(deployed_spec, committed_spec),
            drifts.coverage_row(drifts.line_rate(coverage) if coverage else None, baseline),
            drifts.cost_row(target.kind, budget, per_request),
        )
        return DriftReport(env, str(digest), rows)

    def coverage_baseline(self, coverage: Path, commit: str) -> str:
        """Record `coverage` (a coverage.xml of a main run) as the baseline nightly drift compares with."""
        try:
            record = drifts.write_baseline(self.store.backend, coverage, commit)
        except StoreError as error:
            raise ReleaseFailed(f"could not write the coverage baseline: {error}") from None
        except (OSError, KeyError, ValueError) as error:
            raise ReleaseRefused(f"--coverage {coverage}: not a coverage.xml report ({error})") from None
        return f"coverage baseline {record['percent']:.2f}% (commit {commit[:12] or '?'}) in {self.store.uri}"

    # -- after the fact -------------------------------------------------------------------------------------

    def _persistent(self, target: Target, command: str) -> None:
        if target.ephemeral:
            raise ReleaseRefused(
                f"{command} --env {target.name}: {target.name}'s emulator lives only inside one command, "
                f"so there is nothing running to {command}; `careervp-ci deploy --env {target.name}` runs "
                "verify and smoke itself (see `careervp-ci ledger`), or point the target at a running "
                "emulator (endpoint=..., e.g. one `careervp-ci emulator --port PORT` runs)"
            )

    def verify(self, env: str) -> str:
        """Read the digest from the live stack, fetch that artifact from the store (bytes re-checked), and
        compare the stack with its assembly. Needs credentials and the store only."""
        target = self.target_for(env)
        self._persistent(target, "verify")
        self._require_credentials(target)
        with self._session(target) as session:
            live = self.live(target, session)
            self.log(f"{target.stack_name} runs {live.digest} (commit {live.commit[:12]}, run {live.run})")
            with self._unpacked(self._digest(live.digest)) as (bundle, _):
                verdict = run_verifier(
                    self.repo, target.stack_env, bundle / "assembly", self._aws_env(session)
                )
        if not verdict.ok:
            raise ReleaseFailed(f"verify {env} ({live.digest}): {verdict.summary}\n{verdict.output[-2000:]}")
        return f"{env} runs {live.digest} (commit {live.commit[:12]}): verified\n{verdict.output}"

    def smoke(self, env: str, phase: str | None = None) -> list[str]:
        """The smoke checks of every phase, or of `phase` (one that has none fails, naming why)."""
        try:
            smoke_checks(phase)
        except phases.PhaseNotImplemented as error:
            raise ReleaseFailed(f"smoke --phase {phase}: {error}") from None
        target = self.target_for(env)
        self._persistent(target, "smoke")
        secrets = self._require_secrets(target)
        with self._session(target) as session:
            live = self.live(target, session)
            commit = live.commit or "unknown"
            lines = self._smoke(target, session, outputs(live.stack), secrets, commit, phase=phase)
        if not smoke_passed(lines):
            raise ReleaseFailed(f"smoke {env} ({live.digest}) failed:\n" + "\n".join(lines))
        return lines

    def promote(self, source: str, dest: str, *, approval: Path | None = None) -> Deployed:
        """Deploy to `dest` the digest that last passed verify and smoke in `source` (from the ledger),
        refusing if the live `source` stack no longer runs it."""
        origin = self.target_for(source)
        target = self.target_for(dest)
        if target.promote_from and target.promote_from != source:
            raise ReleaseRefused(
                f"{dest} accepts promotions from {target.promote_from} only, not from {source}"
            )
        self._persistent(origin, "promote from")
        self._require_credentials(origin)
        try:
            good = self.ledger.last_good(source)
        except (LedgerError, StoreError) as error:
            raise ReleaseFailed(str(error)) from None
        if good is None:
            raise ReleaseFailed(
                f"{source} has no digest that passed verify and smoke in the ledger of {self.store.uri}; "
                "deploy one there first (or pass the store that holds its history: --store)"
            )
        with self._session(origin) as session:
            live = self.live(origin, session)
        if live.digest != good.digest:
            raise ReleaseFailed(
                f"{source} no longer runs the digest that passed there: the ledger's last good deploy is "
                f"{good.digest} ({good.time}), the live stack {origin.stack_name} runs {live.digest} (run "
                f"{live.run or '?'}); verify and smoke what {source} runs, or redeploy the good one, "
                "then promote"
            )
        self.log(f"promoting {good.digest} (passed in {source} at {good.time}, live there) to {dest}")
        return self.deploy(dest, good.digest, approval=approval, ref=good.ref)

    def change_set(self, env: str, artifact: str) -> ChangeSummary:
        """The artifact's template for env's stack against the live one, approving nothing.

        Read access only: an AWS target needs credentials but not the deploy secrets, so the CI job that
        makes it holds a read-only role and no secret."""
        digest = self._digest(artifact)
        target = self.target_for(env)
        self._require_credentials(target)
        try:
            current = self.ledger.current(env)
        except (LedgerError, StoreError) as error:
            raise ReleaseFailed(str(error)) from None
        with self._unpacked(digest) as (bundle, _), self._session(target) as session:
            new = StackFiles.find(bundle / "assembly", target.stack_name).template_dict()
            old = deployed_template(session, target.stack_name)
        baseline = current.digest if current else ""
        return summarize(env, digest, target.stack_name, new=new, old=old, baseline=baseline)

    def approve(
        self, env: str, artifact: str, summary: Path | None, approver: str | None
    ) -> tuple[list[str], str]:
        """Approve `summary` if it still describes the change (same env and digest, baseline current, not
        edited), or a summary made now; the approval (in the store) cites the summary's sha256."""
        fresh = self.change_set(env, artifact)
        try:
            if summary is not None:
                check_summary(summary, load_summary(summary), fresh)
            return fresh.lines(), write_approval(self.store.backend, fresh, approver)
        except ApprovalError as error:
            raise ReleaseFailed(str(error)) from None
        except StoreError as error:
            raise ReleaseFailed(f"could not store the approval: {error}") from None

    def destroy(self, env: str, confirm: str) -> str:
        target = self.target_for(env)
        if target.protected:
            raise ReleaseRefused(f"destroy refuses {env} outright: it is a protected environment")
        if confirm != env:
            raise ReleaseRefused(
                f"destroy --env {env} needs --confirm {env} (got {confirm!r}); nothing was destroyed"
            )
        self._persistent(target, "destroy")
        self._require_credentials(target)
        run = new_run()
        try:
            with (
                environment_lock(self.store.backend, env, run=run, operation="destroy", log=self.log) as lock,
                self._session(target) as session,
            ):
                self._close_interrupted(target, lock)
                if describe(session, target.stack_name) is None:
                    return f"{target.describe()} has no stack {target.stack_name}; nothing to destroy"
                delete_stack(session, target.stack_name, self.log)
                current = self.ledger.current(env)
                self._record(
                    target,
                    Entry(
                        env=env,
                        digest=current.digest if current else "",
                        commit=current.commit if current else "",
                        time=now(),
                        outcome="destroyed",
                        target=target.kind,
                        run=run,
                        host=host(),
                    ),
                )
        except EnvironmentBusyError as error:
            raise ReleaseFailed(str(error)) from None
        except (LedgerError, StoreError) as error:
            raise ReleaseFailed(str(error)) from None
        except DeployError as error:
            raise ReleaseFailed(f"destroy {env} failed: {error}") from None
        return f"destroyed {target.stack_name} in {target.describe()}"


def _no_evidence(env: str, last: Entry | None, store: str) -> str:
    """Why there is no failure evidence to copy: what the ledger says of the run."""
    if last is None:
        return f"no failure evidence for {env}: the ledger in {store} records no run of {env}"
    said = f"no failure evidence for run {last.run} of {env} ({last.outcome}, {last.time})"
    if last.succeeded:
        return f"{said}: its deploy succeeded, so the step that failed after it (verify, smoke, e2e) says why"
    if last.outcome == "started":
        return f"{said}: it has not ended (still running, or its process died)"
    if last.evidence:
        return f"{said}: the ledger points to {last.evidence}, but the store {store} holds none of it"
    return f"{said}: it recorded none"


def _why(error: Exception) -> str:
    """An AWS error by its code (its message may name the user), anything else as it says."""
    return str(error.response["Error"].get("Code", "")) if isinstance(error, ClientError) else str(error)


def _secret_name(target: Target, secret: Secret) -> str:
    return physical_name(target.stack_env, secret.component, secret.resource, service=Service.SECRET)


def _webhook_secret_name(target: Target) -> str:
    return _secret_name(target, STRIPE_WEBHOOK_SECRET)


@contextmanager
def _endpoint(target: Target) -> Iterator[str]:
    """The emulator's URL: the configured one, or a moto server this command runs."""
    if target.endpoint:
        yield target.endpoint
        return
    with emulator.running_emulator() as endpoint:
        yield endpoint
