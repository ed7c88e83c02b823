"""The release commands, tying the modules together: build, publish, deploy, verify, smoke, promote,
approve, destroy. Every command checks its inputs (digest, environment, secrets, lock, approval) before it
touches anything, so a refusal leaves the environment and the ledger exactly as they were.

Errors: `ReleaseRefused` (bad usage or configuration: exit 2) and `ReleaseFailed` (a gate said no or a
deploy/verify/smoke failed: exit 1). Both carry a message that names the problem and the next step.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from careervp.resources import STRIPE_WEBHOOK_SECRET
from careervp_infra.naming import Service, physical_name
from careervp_local.http_server import serve_locally

from careervp_ci.artifact import ArtifactError, Digest, parse_digest, unpack, verify_unpacked
from careervp_ci.release import emulator
from careervp_ci.release.approvals import ApprovalError, check_approval, summarize, write_approval
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
)
from careervp_ci.release.gitref import RefError, resolve_commit, worktree
from careervp_ci.release.ledger import Entry, Ledger, Outcome, now
from careervp_ci.release.locking import EnvironmentBusyError, environment_lock
from careervp_ci.release.smoke import SECRET_ENV, run_checks
from careervp_ci.release.state import StateDir
from careervp_ci.release.targets import REQUIRED_SECRETS, Target, TargetError, get_target
from careervp_ci.release.verify import run_verifier
from careervp_ci.store import LocalStore, open_store

Log = Callable[[str], None]


class ReleaseRefused(Exception):
    """Bad usage or configuration; nothing was touched (exit 2)."""


class ReleaseFailed(Exception):
    """A gate refused or a deploy, verify or smoke failed (exit 1)."""


def stderr_log(message: str) -> None:
    print(f"[release] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Deployed:
    env: str
    digest: Digest
    commit: str
    outputs: dict[str, str]
    smoke: list[str]
    verify: str


@dataclass
class Release:
    state: StateDir
    repo: Path
    """The source tree whose verifier and local API the post-deploy checks use."""
    log: Log = stderr_log
    store_uri: str | None = None

    @property
    def ledger(self) -> Ledger:
        return Ledger(self.state.ledger)

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

    def _require_secrets(self, target: Target) -> dict[str, str]:
        missing = [name for name in REQUIRED_SECRETS if not os.environ.get(name)]
        if missing:
            raise ReleaseRefused(
                f"missing secret {', '.join(missing)} for {target.name}: set it in the environment (CI: the "
                "environment's secret) before deploying; nothing was deployed"
            )
        if target.kind == "aws" and boto3.session.Session().get_credentials() is None:
            raise ReleaseRefused(
                f"missing AWS credentials for {target.name}: no credentials in the environment (OIDC "
                "role, AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY); nothing was deployed"
            )
        return {name: os.environ[name] for name in REQUIRED_SECRETS}

    # -- artifacts ------------------------------------------------------------------------------------------

    @contextmanager
    def _unpacked(self, digest: Digest) -> Iterator[tuple[Path, dict[str, Any]]]:
        """The artifact fetched from the store, digest re-checked, unpacked and checked file by file."""
        with tempfile.TemporaryDirectory(prefix=f"{digest.hex[:12]}-", dir=self.state.work) as scratch:
            try:
                tar = open_store(self.store_uri, self.state.root).fetch(digest, Path(scratch))
                bundle = Path(scratch) / "bundle"
                unpack(tar, bundle)
                tar.unlink()
                manifest = verify_unpacked(bundle)
            except ArtifactError as error:
                raise ReleaseFailed(str(error)) from None
            yield bundle, manifest

    def build(self, src: Path | None = None, ref: str | None = None) -> BuildResult:
        store = LocalStore(self.state.root / "artifacts")
        try:
            if src is not None:
                result = build(src, self.state.work / f"build-{os.getpid()}.tar", self.state.cache, self.log)
            else:
                commit = resolve_commit(self.repo, ref or "HEAD")
                with worktree(self.repo, commit) as tree:
                    result = build(
                        tree, self.state.work / f"build-{os.getpid()}.tar", self.state.cache, self.log
                    )
        except RefError as error:
            raise ReleaseRefused(str(error)) from None
        except BuildError as error:
            raise ReleaseFailed(str(error)) from None
        store.put(result.tar_path)
        result.tar_path.unlink()
        return result

    def publish(self, digest_text: str, store_uri: str) -> Digest:
        digest = self._digest(digest_text)
        with tempfile.TemporaryDirectory(dir=self.state.work) as scratch:
            try:
                tar = LocalStore(self.state.root / "artifacts").fetch(digest, Path(scratch))
                open_store(store_uri, self.state.root).put(tar)
            except ArtifactError as error:
                raise ReleaseFailed(str(error)) from None
        return digest

    # -- targets --------------------------------------------------------------------------------------------

    @contextmanager
    def _session(self, target: Target, secrets: dict[str, str]) -> Iterator[AwsSession]:
        """boto3 bound to the target; an emulator is bootstrapped like an AWS account (release.emulator)."""
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
            emulator.bootstrap(session, [_webhook_secret_name(target)], secrets[SECRET_ENV])
            yield session

    def _aws_env(self, session: AwsSession) -> dict[str, str]:
        env = {"AWS_REGION": session.region, "AWS_DEFAULT_REGION": session.region, **session.credentials}
        if session.endpoint:
            env["AWS_ENDPOINT_URL"] = session.endpoint
        return env

    # -- deploy ---------------------------------------------------------------------------------------------

    def deploy(self, env: str, digest_text: str, *, approval: Path | None = None) -> Deployed:
        digest = self._digest(digest_text)
        target = self.target_for(env)
        secrets = self._require_secrets(target)
        try:
            with environment_lock(self.state.locks, env, operation="deploy", digest=str(digest)):
                return self._deploy_locked(target, digest, secrets, approval)
        except EnvironmentBusyError as error:
            raise ReleaseFailed(str(error)) from None

    def _deploy_locked(
        self, target: Target, digest: Digest, secrets: dict[str, str], approval: Path | None
    ) -> Deployed:
        current = self.ledger.current(target.name)
        if target.requires_approval:
            try:
                record = check_approval(
                    self.state.approvals, target.name, digest, current.digest if current else "", approval
                )
            except ApprovalError as error:
                raise ReleaseFailed(str(error)) from None
            self.log(f"approved by {record['approved_by']} at {record['approved_at']}")
        with self._unpacked(digest) as (bundle, manifest), self._session(target, secrets) as session:
            commit = str(manifest.get("commit", "unknown"))
            self._require_target_secret(target, session)
            self.log(f"deploying {digest} (commit {commit[:12]}) to {target.describe()}")
            try:
                files = StackFiles.find(bundle / "assembly", target.stack_name)
                stack = deploy_stack(files, session, self.log)
            except DeployError as error:
                raise self._rolled_back(target, digest, commit, bundle=bundle, error=error) from None
            stack_outputs = outputs(stack)
            verdict = run_verifier(self.repo, target.stack_env, bundle / "assembly", self._aws_env(session))
            self.log(f"verify: {verdict.summary}")
            if not verdict.ok:
                self._record(target, digest, commit, "verify-failed", verdict.summary)
                raise ReleaseFailed(
                    self._failure(target, f"verify failed: {verdict.summary}\n{verdict.output[-2000:]}")
                )
            smoke = self._smoke(target, session, stack_outputs, secrets, commit)
            if not all(line.startswith("ok") for line in smoke):
                self._record(target, digest, commit, "smoke-failed", smoke[-1])
                raise ReleaseFailed(self._failure(target, "smoke failed:\n" + "\n".join(smoke)))
            self._record(target, digest, commit, "succeeded", f"{len(smoke)} smoke checks passed")
            return Deployed(target.name, digest, commit, stack_outputs, smoke, verdict.output)

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

    def _record(
        self, target: Target, digest: Digest | str, commit: str, outcome: Outcome, detail: str
    ) -> None:
        self.ledger.record(
            Entry(
                env=target.name,
                digest=str(digest),
                commit=commit,
                time=now(),
                outcome=outcome,
                target=target.kind,
                detail=detail,
            )
        )

    def _failure(self, target: Target, what: str) -> str:
        good = self.ledger.last_good(target.name)
        if good is None:
            return f"{what}\n{target.name} has no earlier good deploy in the ledger to go back to."
        return (
            f"{what}\nThe last good deploy of {target.name} is {good.digest} "
            f"(commit {good.commit[:12]}, {good.time}); "
            f"to go back to it: careervp-ci deploy --env {target.name} --artifact {good.digest}"
        )

    def _rolled_back(
        self,
        target: Target,
        digest: Digest,
        commit: str,
        *,
        bundle: Path,
        error: DeployError,
    ) -> ReleaseFailed:
        """Save the evidence (the error, the stack's events, the assembly) and record the failure; the
        deployer has already put the stack back (`error.rollback`). Returns the error to raise."""
        report = self.state.reports / target.name / f"{now().replace(':', '')}-{digest.hex[:12]}"
        report.mkdir(parents=True, exist_ok=True)
        (report / "error.txt").write_text(f"{error}\n{error.rollback}\n", encoding="utf-8")
        (report / "stack-events.json").write_text(
            json.dumps(error.events, indent=2, default=str), encoding="utf-8"
        )
        shutil.copytree(bundle / "assembly", report / "assembly")
        self._record(target, digest, commit, "deploy-failed", str(error))
        return ReleaseFailed(
            self._failure(
                target,
                f"deploy of {digest} to {target.name} failed: {error}\n{error.rollback}; "
                f"the error, stack events and the assembly are in {report}",
            )
        )

    def _smoke(
        self,
        target: Target,
        session: AwsSession,
        stack_outputs: dict[str, str],
        secrets: dict[str, str],
        commit: str,
    ) -> list[str]:
        secret = secrets[SECRET_ENV]
        if target.kind == "aws":
            return [result.line() for result in run_checks(stack_outputs["ApiUrl"], secret)]
        env = {
            **self._aws_env(session),
            "CAREERVP_ENV": target.stack_env,
            "CAREERVP_VERSION": commit,
            "CAREERVP_KB_TABLE": stack_outputs["KbTableName"],
            "CAREERVP_GAP_TABLE": stack_outputs["GapTableName"],
            "CAREERVP_BILLING_TABLE": stack_outputs["BillingTableName"],
            "CAREERVP_KB_BUCKET": stack_outputs["KbBucketName"],
            SECRET_ENV: secret,
        }
        self.log(
            "smoke: Lambda does not run in the emulator; serving the real handlers on 127.0.0.1 against it"
        )
        with serve_locally(env) as base_url:
            return [result.line() for result in run_checks(base_url, secret)]

    # -- after the fact -------------------------------------------------------------------------------------

    def _persistent(self, target: Target, command: str) -> None:
        if target.ephemeral:
            raise ReleaseRefused(
                f"{command} --env {target.name}: {target.name}'s emulator lives only inside one command, "
                f"so there is nothing running to {command}; `careervp-ci deploy --env {target.name}` runs "
                "verify and smoke itself (see `careervp-ci ledger`), or point the target at a running "
                "emulator (endpoint=...)"
            )

    def verify(self, env: str) -> str:
        target = self.target_for(env)
        self._persistent(target, "verify")
        current = self.ledger.current(env)
        if current is None:
            raise ReleaseFailed(f"{env} has no successful deploy in the ledger; nothing to verify against")
        secrets = self._require_secrets(target)
        with self._unpacked(Digest(current.digest)) as (bundle, _), self._session(target, secrets) as session:
            verdict = run_verifier(self.repo, target.stack_env, bundle / "assembly", self._aws_env(session))
        if not verdict.ok:
            raise ReleaseFailed(f"verify {env}: {verdict.summary}\n{verdict.output[-2000:]}")
        return verdict.output

    def smoke(self, env: str) -> list[str]:
        target = self.target_for(env)
        self._persistent(target, "smoke")
        secrets = self._require_secrets(target)
        with self._session(target, secrets) as session:
            stack = describe(session, target.stack_name)
            if stack is None:
                raise ReleaseFailed(f"{target.describe()} has no stack {target.stack_name}; deploy first")
            lines = self._smoke(target, session, outputs(stack), secrets, "unknown")
        if not all(line.startswith("ok") for line in lines):
            raise ReleaseFailed(f"smoke {env} failed:\n" + "\n".join(lines))
        return lines

    def promote(self, source: str, dest: str, *, approval: Path | None = None) -> Deployed:
        self.target_for(source)
        target = self.target_for(dest)
        if target.promote_from and target.promote_from != source:
            raise ReleaseRefused(
                f"{dest} accepts promotions from {target.promote_from} only, not from {source}"
            )
        good = self.ledger.last_good(source)
        if good is None:
            raise ReleaseFailed(
                f"{source} has no digest that passed verify and smoke; deploy one there first"
            )
        self.log(f"promoting {good.digest} (passed in {source} at {good.time}) to {dest}")
        return self.deploy(dest, good.digest, approval=approval)

    def approve(self, env: str, digest_text: str) -> tuple[list[str], Path]:
        digest = self._digest(digest_text)
        target = self.target_for(env)
        secrets = self._require_secrets(target)
        current = self.ledger.current(env)
        with self._unpacked(digest) as (bundle, _), self._session(target, secrets) as session:
            new = StackFiles.find(bundle / "assembly", target.stack_name).template_dict()
            old = deployed_template(session, target.stack_name)
        summary = summarize(
            env, digest, target.stack_name, new=new, old=old, baseline=current.digest if current else ""
        )
        return summary.lines(), write_approval(self.state.approvals, summary)

    def destroy(self, env: str, confirm: str) -> str:
        target = self.target_for(env)
        if target.protected:
            raise ReleaseRefused(f"destroy refuses {env} outright: it is a protected environment")
        if confirm != env:
            raise ReleaseRefused(
                f"destroy --env {env} needs --confirm {env} (got {confirm!r}); nothing was destroyed"
            )
        self._persistent(target, "destroy")
        secrets = self._require_secrets(target)
        try:
            with (
                environment_lock(self.state.locks, env, operation="destroy"),
                self._session(target, secrets) as session,
            ):
                if describe(session, target.stack_name) is None:
                    return f"{target.describe()} has no stack {target.stack_name}; nothing to destroy"
                delete_stack(session, target.stack_name, self.log)
                current = self.ledger.current(env)
                self._record(
                    target,
                    current.digest if current else "",
                    current.commit if current else "",
                    "destroyed",
                    "",
                )
        except EnvironmentBusyError as error:
            raise ReleaseFailed(str(error)) from None
        except DeployError as error:
            raise ReleaseFailed(f"destroy {env} failed: {error}") from None
        return f"destroyed {target.stack_name} in {target.describe()}"


def _webhook_secret_name(target: Target) -> str:
    secret = STRIPE_WEBHOOK_SECRET
    return physical_name(target.stack_env, secret.component, secret.resource, service=Service.SECRET)


@contextmanager
def _endpoint(target: Target) -> Iterator[str]:
    """The emulator's URL: the configured one, or a moto server this command runs."""
    if target.endpoint:
        yield target.endpoint
        return
    with emulator.running_emulator() as endpoint:
        yield endpoint
