"""The release path as a Dagger object: `dagger call release --store S --aws-… deploy --env dev …`.

`release` (on the main object) names the artifact store, the region and the AWS credentials once; every
method here acts through them. Each method runs the host's command (`careervp-ci <command> --store S`) in the
toolchain container with the credentials as secret variables, and none is ever cached: each reads or
changes the world (the store, the stacks) as it is now.
"""

from __future__ import annotations

from typing import Annotated, Final

import dagger
from dagger import Doc, Name, field, object_type

from careervp_ci.dagger_module.arguments import Commit, Digest, Env, GitDir, ModelKey, WebhookSecret
from careervp_ci.dagger_module.containers import base, built, fresh, run, run_once, side_effect
from careervp_ci.dagger_module.failures import StepFailed, describe_failure
from careervp_ci.dagger_module.setup import WORKDIR
from careervp_ci.release.credentials import KEY_ID, SECRET_KEY, SESSION_TOKEN, refuse_partial
from careervp_ci.release.drift_table import is_drift_table

CHANGE_SET: Final = "/change-set/change-set.json"
EVIDENCE: Final = "/evidence"
COVERAGE: Final = "/coverage/coverage.xml"
DRIFT_TABLES: Final = "/drift"
SYNTH: Final = "/synth"


def flag(variable: str) -> str:
    """`release`'s flag for a credential variable: AWS_ACCESS_KEY_ID -> --aws-access-key-id."""
    return "--" + variable.lower().replace("_", "-")


def with_webhook(container: dagger.Container, secret: dagger.Secret | None) -> dagger.Container:
    return container if secret is None else container.with_secret_variable("STRIPE_WEBHOOK_SECRET", secret)


def with_model_key(container: dagger.Container, key: dagger.Secret | None) -> dagger.Container:
    """Only the calls that deploy take it (deploy, promote, rollback, hotfix): they store it for the
    functions."""
    return container if key is None else container.with_secret_variable("ANTHROPIC_API_KEY", key)


@object_type
class Release:
    """Publish, deploy, verify, smoke, promote and inspect releases in one artifact store."""

    src: dagger.Directory
    store: str = field()
    region: str = field(default="")
    access_key_id: dagger.Secret | None = None
    secret_access_key: dagger.Secret | None = None
    session_token: dagger.Secret | None = None

    async def _container(
        self, webhook: dagger.Secret | None = None, *, browser: bool = False
    ) -> dagger.Container:
        """The toolchain with the credentials as secret variables: never a plain variable, never in the
        logs or a cache key; with Chromium for the calls that smoke (the SPA's browser check)."""
        credentials = self._credentials()
        return self._with_aws(await base(self.src, browser=browser), credentials, webhook)

    def _credentials(self) -> dict[str, dagger.Secret]:
        """The AWS credentials given to `release`, by variable; partial ones are refused here, before any
        container is built, naming the missing flags (`release.credentials`)."""
        given = {
            name: secret
            for name, secret in (
                (KEY_ID, self.access_key_id),
                (SECRET_KEY, self.secret_access_key),
                (SESSION_TOKEN, self.session_token),
            )
            if secret is not None
        }
        refuse_partial(given, spell=flag, where=" given to `release`")
        return given

    def _with_aws(
        self,
        container: dagger.Container,
        credentials: dict[str, dagger.Secret],
        webhook: dagger.Secret | None = None,
    ) -> dagger.Container:
        for name, secret in credentials.items():
            container = container.with_secret_variable(name, secret)
        if self.region:
            container = container.with_env_variable("AWS_REGION", self.region)
            container = container.with_env_variable("AWS_DEFAULT_REGION", self.region)
        return with_webhook(container, webhook)

    def _argv(self, command: str, *options: str) -> list[str]:
        return ["careervp-ci", command, *options, "--store", self.store]

    @side_effect
    async def publish(self, artifact: Digest, commit: Commit) -> str:
        """Put the artifact this tree builds into the store, refused unless its digest is `artifact`
        (`build` and this share one recipe, so the engine builds once)."""
        credentials = self._credentials()
        container = self._with_aws(await built(self.src, commit), credentials)
        return await run_once(self._argv("publish", "--artifact", artifact), container)

    @side_effect
    async def deploy(
        self,
        *,
        env: Env,
        artifact: Digest,
        change_set: Annotated[
            dagger.File | None, Doc("the reviewed `change-set` summary: approved, then deployed (prod)")
        ] = None,
        approver: Annotated[
            str, Doc("who approved the change set (e.g. github-environment:prod/run-N)")
        ] = "",
        ref: Annotated[str, Doc("the git ref the artifact was built from, recorded in the ledger")] = "",
        hotfix: Annotated[
            bool, Doc("a hotfix whose ref passed the main bar: skips promote_from (recorded in the ledger)")
        ] = False,
        stripe_webhook_secret: WebhookSecret = None,
        anthropic_api_key: ModelKey = None,
    ) -> str:
        """Deploy exactly the artifact with this digest from the store to env (then verify and smoke); behind
        approval, exactly the reviewed change set."""
        container = with_model_key(
            await self._container(stripe_webhook_secret, browser=True), anthropic_api_key
        )
        if change_set is not None:
            # Approve exactly the reviewed summary first: `approve` refuses one that no longer describes the
            # change (other digest or env, edited, stale baseline), and then nothing deploys.
            container = container.with_file(CHANGE_SET, change_set)
            approve = ["--env", env, "--artifact", artifact, "--summary", CHANGE_SET]
            approve += ["--approver", approver] if approver else []
            container = await run(self._argv("approve", *approve), fresh(container))
        options = ["--env", env, "--artifact", artifact, *(["--ref", ref] if ref else [])]
        return await run_once(self._argv("deploy", *options, *(["--hotfix"] if hotfix else [])), container)

    @side_effect
    async def change_set(self, env: Env, artifact: Digest) -> dagger.File:
        """The change-set summary (JSON) of the artifact against env's live stack; approves nothing.

        Never cached: the same arguments must read the live stack again (it may have changed)."""
        argv = self._argv("change-set", "--env", env, "--artifact", artifact, "--out", CHANGE_SET)
        return (await run(argv, fresh(await self._container()))).file(CHANGE_SET)

    @side_effect
    async def approve(
        self,
        env: Env,
        artifact: Digest,
        summary: Annotated[dagger.File, Doc("the reviewed `change-set` summary")],
        approver: Annotated[str, Doc("who approves")],
    ) -> str:
        """Record an approval of exactly this summary in the store (refused if it no longer holds)."""
        container = (await self._container()).with_file(CHANGE_SET, summary)
        options = ("--env", env, "--artifact", artifact, "--summary", CHANGE_SET, "--approver", approver)
        return await run_once(self._argv("approve", *options), container)

    @side_effect
    async def verify(self, env: Env) -> str:
        """The live stack of env against the artifact its tags name, fetched from the store and re-checked."""
        return await run_once(self._argv("verify", "--env", env), await self._container())

    @side_effect
    async def smoke(
        self,
        env: Env,
        stripe_webhook_secret: WebhookSecret = None,
        phase: Annotated[
            str,
            Doc(
                "only this phase's smoke checks (careervp_ci.pipeline.phases, e.g. 12); "
                "default: every phase's"
            ),
        ] = "",
    ) -> str:
        """Smoke-test the deployed API of env (the webhook replay is signed with the environment's secret)."""
        container = await self._container(stripe_webhook_secret, browser=True)
        options = ["--env", env, *(["--phase", phase] if phase else [])]
        return await run_once(self._argv("smoke", *options), container)

    @side_effect
    async def journeys(self, env: Env, stripe_webhook_secret: WebhookSecret = None) -> str:
        """The happy-path journeys over HTTP against env's deployed API (after smoke; fails if one fails).

        Not `e2e`: the Dagger CLI spells a digit between letters as its own word (`e-2-e`)."""
        container = await self._container(stripe_webhook_secret)
        return await run_once(self._argv("journeys", "--env", env), container)

    @side_effect
    async def promote(
        self,
        *,
        from_: Annotated[str, Doc("the environment whose verified digest moves on"), Name("from")],
        to: Annotated[str, Doc("the environment it moves to")],
        stripe_webhook_secret: WebhookSecret = None,
        anthropic_api_key: ModelKey = None,
    ) -> str:
        """Deploy to `to` the digest that passed verify and smoke in `from` (the store's ledger says)."""
        container = with_model_key(
            await self._container(stripe_webhook_secret, browser=True), anthropic_api_key
        )
        return await run_once(self._argv("promote", "--from", from_, "--to", to), container)

    @side_effect
    async def rollback(
        self,
        *,
        env: Env,
        to: Annotated[
            str, Doc("the digest to go back to, which passed in env before (default: the last good one)")
        ] = "",
        by: Annotated[str, Doc("who runs it, recorded in the ledger (e.g. github:octocat)")] = "",
        stripe_webhook_secret: WebhookSecret = None,
        anthropic_api_key: ModelKey = None,
    ) -> str:
        """Go back to the digest that last passed in env before the current one (or `to`): the deploy's lock,
        gates, verify and smoke, recorded in the ledger as a rollback; prod needs no fresh approval for a
        digest approved there before."""
        container = with_model_key(
            await self._container(stripe_webhook_secret, browser=True), anthropic_api_key
        )
        options = ["--env", env, *(["--to", to] if to else []), *(["--by", by] if by else [])]
        return await run_once(self._argv("rollback", *options), container)

    @side_effect
    async def ledger(
        self,
        env: Annotated[str, Doc("only this environment's history")] = "",
        as_json: Annotated[bool, Doc("the records as JSON")] = False,
    ) -> str:
        """The release history kept in the store (never cached: it grows).

        `--as-json`, not the host's `--json`: every function under `dagger call` inherits the CLI's own
        `--json`, and the CLI refuses to define an argument of that name (`flag already exists: json`)."""
        options = [*(["--env", env] if env else []), *(["--json"] if as_json else [])]
        return await run_once(self._argv("ledger", *options), await self._container())

    @side_effect
    async def evidence(
        self,
        env: Env,
        run_id: Annotated[
            str, Doc("the run whose evidence to fetch (default: the latest with evidence)"), Name("run")
        ] = "",
    ) -> dagger.Directory:
        """A failed deploy's evidence (stack events, assembly, verifier and smoke output, the log) from the
        store, wherever the deploy ran (`... evidence --env dev export --path evidence`); when the run left
        none, a folder holding only README.txt that says why (the call still succeeds)."""
        options = ["--env", env, "--out", EVIDENCE, *(["--run", run_id] if run_id else [])]
        return (await run(self._argv("evidence", *options), fresh(await self._container()))).directory(
            EVIDENCE
        )

    @side_effect
    async def drift(
        self,
        env: Env,
        coverage: Annotated[
            dagger.File | None, Doc("this run's coverage.xml, compared with main's baseline in the store")
        ] = None,
        slack_webhook: Annotated[
            dagger.Secret | None, Doc("post the table to Slack too (a Slack error never fails the run)")
        ] = None,
        synth: Annotated[
            dagger.Directory | None,
            Doc("main's cloud assembly (`synth`): the stack row compares it with the stack"),
        ] = None,
    ) -> str:
        """What changed under env without a deploy: its stack against the artifact it runs, the API against
        the contract, coverage against the last main run, cost; a Markdown table for the step summary. A
        drifted environment returns its table too (the command's exit 1 after printing it): the nightly's
        one report (`drift-table`) names the drift; any other failure fails the call."""
        container = await self._container()
        options = ["--env", env]
        if coverage is not None:
            container = container.with_file(COVERAGE, coverage)
            options += ["--coverage", COVERAGE]
        if slack_webhook is not None:
            container = container.with_secret_variable("SLACK_WEBHOOK", slack_webhook)
        if synth is not None:
            container = container.with_directory(SYNTH, synth)
            options += ["--synth", SYNTH]
        argv = self._argv("drift", *options)
        try:
            return await (await fresh(container).with_exec(argv).sync()).stdout()
        except dagger.ExecError as error:
            if error.exit_code == 1 and is_drift_table(error.stdout):
                return error.stdout
            raise StepFailed(describe_failure(argv, error)) from error

    @side_effect
    async def coverage_baseline(
        self,
        coverage: Annotated[dagger.File, Doc("the coverage.xml of a main run")],
        commit: Annotated[str, Doc("the commit it measured")] = "",
    ) -> str:
        """Record a main run's coverage in the store: the baseline the nightly drift compares with."""
        container = (await self._container()).with_file(COVERAGE, coverage)
        options = ["--coverage", COVERAGE, *(["--commit", commit] if commit else [])]
        return await run_once(self._argv("coverage-baseline", *options), container)

    @side_effect
    async def destroy(
        self, env: Env, confirm: Annotated[str, Doc("the environment's name again (prod is refused)")]
    ) -> str:
        """Delete env's stack (guarded: --confirm must repeat the name; prod is protected)."""
        return await run_once(
            self._argv("destroy", "--env", env, "--confirm", confirm), await self._container()
        )

    @side_effect
    async def hotfix(
        self,
        *,
        ref: Annotated[str, Doc("the git ref to release (a tag, branch or commit), checked out as the tree")],
        commit: Annotated[str, Doc("the full commit id of that checkout; the ref must name it")],
        env: Env,
        git: GitDir,
        override_ref: Annotated[
            str, Doc("to prod: allow a ref neither on main nor a release tag; the reason is recorded")
        ] = "",
        stripe_webhook_secret: WebhookSecret = None,
        anthropic_api_key: ModelKey = None,
    ) -> str:
        """Validate, build and deploy the given ref to env in one container (the host's `hotfix --commit`):
        the tree is the ref's checkout (`git checkout REF`, or actions/checkout with `ref:`), validated and
        built as it is; the history only admits the ref (prod: main or a release tag)."""
        container = with_model_key(
            await self._container(stripe_webhook_secret, browser=True), anthropic_api_key
        )
        container = container.with_directory(f"{WORKDIR}/.git", git)
        options = ["--ref", ref, "--commit", commit, "--env", env]
        options += ["--override-ref", override_ref] if override_ref else []
        return await run_once(self._argv("hotfix", *options), container)
