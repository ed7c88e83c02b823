"""CareerVP's pipeline as a Dagger module: the host executor's steps, each in a pinned container.

Every function runs the same entry point as the host (`careervp-ci <step>`) inside the container from
`setup`, so the two executors cannot drift apart; the parity tests in tests/ci/test_dagger_module.py
compare this class with the step catalogue. This module imports nothing from the catalogue: its step
modules need dev-only packages that the Dagger module runtime does not install.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Final, TypeVar, cast

import anyio
import dagger
from dagger import DefaultPath, Doc, Ignore, Name, check, function, object_type

from careervp_ci.dagger_failures import StepFailed, describe_failure, describe_toolchain_failure
from careervp_ci.dagger_setup import WORKDIR, toolchain

SOURCE_ALLOW_LIST: Final = [
    "*",
    "!pyproject.toml",
    "!uv.lock",
    "!.python-version",
    "!package.json",
    "!package-lock.json",
    "!Makefile",
    "!ci/",
    "!src/",
    "!infra/",
    "!tests/",
    "!bench/",
    "!docs/",
    "!.github/",
    "!*.md",
    "!dagger.json",
    "!.mdformat.toml",
    "!.secrets.baseline",
    "ci/sdk/",
    "**/.venv/",
    "**/node_modules/",
    "**/__pycache__/",
    "**/*.pyc",
    "**/cdk.out/",
    "**/.mypy_cache/",
    "**/.pytest_cache/",
    "**/.ruff_cache/",
]
"""Only what the steps read is uploaded: a small upload and a cache key that local clutter cannot move."""

SUITES: Final = ("unit", "integration", "regression", "e2e")
"""`careervp-ci test --suite` values (`careervp_ci.steps.catalogue.SUITES`; a test keeps them equal)."""
REPORTS: Final = ".reports"
"""Where `careervp-ci` writes each step's reports (`<src>/.reports/<step>`)."""
ASSEMBLY: Final = ".careervp/cdk.out"
"""Where the synth step leaves the cloud assembly (`careervp_ci.steps.synth.ASSEMBLY`)."""
ARTIFACTS: Final = "/artifacts"
CHANGE_SET: Final = "/change-set/change-set.json"
EVIDENCE: Final = "/evidence"
COVERAGE: Final = "/coverage/coverage.xml"
DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")

F = TypeVar("F", bound=Callable[..., object])
side_effect = cast(Callable[[F], F], function(cache="never"))  # type: ignore[call-overload]
"""`@function(cache="never")`: dagger-io 0.21.11 accepts `cache` but leaves it out of the typed overloads."""

Suite = Annotated[str, Doc(f"test suite: {', '.join(SUITES)}")]
Marker = Annotated[str | None, Doc("pytest -m expression selecting tests (e.g. 'not slow')")]
Keyword = Annotated[str | None, Doc("pytest -k expression selecting tests (e.g. 'gap or company_research')")]
Paths = Annotated[str | None, Doc("space-separated test files, folders or node ids (none collected: fails)")]
Seed = Annotated[str | None, Doc("random-order seed, to replay a run (always printed)")]
BaseRef = Annotated[str | None, Doc("git ref whose committed spec is the baseline for breaking changes")]
Env = Annotated[str, Doc("target environment: local (the AWS emulator), dev, staging, prod")]
Store = Annotated[str, Doc("the artifact store holding artifacts and release history: s3://bucket/prefix")]
AwsKeyId = Annotated[dagger.Secret | None, Doc("AWS access key id, e.g. env:AWS_ACCESS_KEY_ID")]
AwsSecretKey = Annotated[dagger.Secret | None, Doc("AWS secret access key, e.g. env:AWS_SECRET_ACCESS_KEY")]
AwsSessionToken = Annotated[dagger.Secret | None, Doc("AWS session token (OIDC/assumed role)")]
AwsRegion = Annotated[str, Doc("AWS region; empty: the environment's own")]
WebhookSecret = Annotated[
    dagger.Secret | None, Doc("the environment's Stripe webhook signing secret (the smoke signs a replay)")
]
Phase = Annotated[
    str | None,
    Doc("a phase of the strategy (careervp_ci.phases, e.g. 12): its blueprint instead of a profile"),
]
GitDir = Annotated[dagger.Directory, Doc("the repository's .git folder"), DefaultPath("/.git")]
Source = Annotated[
    dagger.Directory,
    Doc("the project tree (default: the repository root, allow-listed)"),
    DefaultPath("/"),
    Ignore(SOURCE_ALLOW_LIST),
]
"""Every function's `--src`, like the host CLI's `--src DIR` (`dagger call ci --src .`). DefaultPath makes it
optional on the CLI; the SDK refuses a Python default beside it, so none is given."""


def step_argv(*command: str, **options: str | None) -> list[str]:
    """`careervp-ci <command> --no-cache [--option value ...]`: the host's command line, minus the host's
    result store (the engine caches the container already)."""
    argv = ["careervp-ci", *command, "--no-cache"]
    for name, value in options.items():
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", value]
    return argv


def with_aws(
    container: dagger.Container,
    access_key_id: dagger.Secret | None,
    secret_access_key: dagger.Secret | None,
    session_token: dagger.Secret | None,
    region: str,
) -> dagger.Container:
    """AWS credentials as secret variables: never a plain env var, never in the logs or the cache key."""
    for name, secret in (
        ("AWS_ACCESS_KEY_ID", access_key_id),
        ("AWS_SECRET_ACCESS_KEY", secret_access_key),
        ("AWS_SESSION_TOKEN", session_token),
    ):
        if secret is not None:
            container = container.with_secret_variable(name, secret)
    if region:
        container = container.with_env_variable("AWS_REGION", region).with_env_variable(
            "AWS_DEFAULT_REGION", region
        )
    return container


def with_webhook(container: dagger.Container, secret: dagger.Secret | None) -> dagger.Container:
    return container if secret is None else container.with_secret_variable("STRIPE_WEBHOOK_SECRET", secret)


@object_type
class Careervp:
    """CareerVP's quality gates and release path, each in a pinned container (`dagger call ci --src .`).

    The tree is each function's `src` argument, not a constructor field: the Dagger CLI takes constructor
    flags only before the function name (`dagger call --src . ci`), the host CLI takes `--src` on the step."""

    @function
    async def setup(self, src: Source) -> dagger.Container:
        """The base container: pinned Python and uv, the locked Python and Node tools, and the tree."""
        return await self._base(src)

    async def _base(self, src: dagger.Directory) -> dagger.Container:
        lock_digest = await src.file("uv.lock").digest()
        try:
            return await toolchain(src, lock_digest).sync()
        except dagger.ExecError as error:
            raise StepFailed(describe_toolchain_failure(error)) from error

    async def _run(self, argv: list[str], container: dagger.Container) -> dagger.Container:
        """Run `argv` in `container` and wait, turning a failure into a readable error."""
        try:
            return await container.with_exec(argv).sync()
        except dagger.ExecError as error:
            raise StepFailed(describe_failure(argv, error)) from error

    async def _step(self, src: dagger.Directory, step: str, **options: str | None) -> dagger.Container:
        return await self._run(step_argv(step, **options), await self._base(src))

    @function
    @check
    async def format(self, src: Source) -> dagger.Container:
        """ruff format --check over ci, src, infra, bench and tests."""
        return await self._step(src, "format")

    @function
    @check
    async def lint(self, src: Source) -> dagger.Container:
        """ruff check over ci, src, infra, bench and tests (SARIF in .reports/lint)."""
        return await self._step(src, "lint")

    @function
    @check
    async def typecheck(self, src: Source) -> dagger.Container:
        """mypy --strict over ci/src, src and infra."""
        return await self._step(src, "typecheck")

    @function
    @check
    async def naming(self, src: Source) -> dagger.Container:
        """The naming gatekeeper over every physical resource name in infra."""
        return await self._step(src, "naming")

    @function
    @check
    async def test(
        self,
        src: Source,
        suite: Suite = "unit",
        marker: Marker = None,
        keyword: Keyword = None,
        seed: Seed = None,
        *,
        paths: Paths = None,
    ) -> dagger.Container:
        """One pytest suite with JUnit XML (reports in .reports/<suite>)."""
        if suite not in SUITES:
            raise StepFailed(f"unknown suite {suite!r}; valid suites: {', '.join(SUITES)}")
        argv = step_argv("test", "--suite", suite, marker=marker, keyword=keyword, paths=paths, seed=seed)
        return await self._run(argv, await self._base(src))

    @function
    @check
    async def coverage(self, src: Source) -> dagger.Container:
        """Runs the unit and integration suites, combines their coverage and holds the floors."""
        return await self._step(src, "coverage")

    @function
    @check
    async def synth(self, src: Source) -> dagger.Directory:
        """CDK synth (cdk-nag inside) and cfn-lint; returns the cloud assembly (`export --path cdk.out`)."""
        return (await self._step(src, "synth")).directory(ASSEMBLY)

    @function
    @check
    async def openapi(self, src: Source, git: GitDir, base_ref: BaseRef = None) -> dagger.Container:
        """The committed contract is valid, matches the code, and (with base_ref) breaks no client."""
        container = await self._base(src)
        if base_ref is not None:
            container = container.with_directory(f"{WORKDIR}/.git", git)
        return await self._run(step_argv("openapi", base_ref=base_ref), container)

    @function
    @check
    async def workflows(self, src: Source) -> dagger.Container:
        """actionlint (with shellcheck) and zizmor --offline over .github/workflows."""
        return await self._step(src, "workflows")

    @function
    @check
    async def docs(self, src: Source) -> dagger.Container:
        """mdformat --check and offline link/anchor checks over the Markdown (the docs-only route's gate)."""
        return await self._step(src, "docs")

    @function
    @check
    async def secrets(self, src: Source) -> dagger.Container:
        """detect-secrets, offline, over the tree against the audited baseline (SARIF in .reports/secrets)."""
        return await self._step(src, "secrets")

    @function
    @check
    async def pipeline_tests(
        self, src: Source, marker: Marker = None, keyword: Keyword = None, seed: Seed = None
    ) -> dagger.Container:
        """The pipeline's own tests (tests/ci): executor, selection, cache, this module, workflow rules."""
        return await self._step(src, "pipeline-tests", marker=marker, keyword=keyword, seed=seed)

    @function
    @check
    async def audit(self, src: Source) -> dagger.Container:
        """pip-audit and npm audit; an unreachable vulnerability service fails as unverified, never green."""
        return await self._step(src, "audit")

    @function
    @check
    async def sbom(self, src: Source) -> dagger.Directory:
        """CycloneDX 1.6 SBOMs of the Python and Node dependencies; returns them (`export --path sbom`)."""
        return (await self._step(src, "sbom")).directory(f"{REPORTS}/sbom")

    @function
    async def release_local(self, src: Source) -> dagger.Container:
        """build -> deploy to the AWS emulator -> verify -> smoke, all inside one container (`release-local`).

        Not a @check: `dagger check` starts every check at once, and this rehearsal must follow the gates
        (`ci --profile main` starts it last). Cached like a gate, deliberately: the emulator, the deploy,
        its ledger and the throwaway webhook secret live and die inside this container, so nothing outside
        changes and the verdict is a function of the tree alone. Re-running it on an unchanged tree would
        only repeat minutes of work; the real deploys (`deploy`, `publish`, ...) are the ones never cached.
        """
        return await self._step(src, "release-local")

    async def _built(self, src: dagger.Directory, git: dagger.Directory) -> dagger.Container:
        """`careervp-ci build` with the repository's history, so the manifest records the commit: the same
        call in `build` and `publish`, so the engine builds once and both reuse it."""
        container = (await self._base(src)).with_directory(f"{WORKDIR}/.git", git)
        return await self._run(["careervp-ci", "build", "--out", ARTIFACTS], container)

    @function
    async def build(self, src: Source, git: GitDir) -> dagger.File:
        """The release artifact, built once from the tree (export with --path artifact.tar).

        Cached like any pure function: the build is reproducible, so the same commit gives the same bytes.
        """
        container = await self._built(src, git)
        output = await container.stdout()
        if not DIGEST.search(output):
            raise StepFailed(
                f"careervp-ci build printed no sha256:<digest>; its output was:\n{output[-2000:]}"
            )
        files = await container.directory(ARTIFACTS).glob("**/*")
        artifacts = [name for name in files if not name.endswith("/")]
        if len(artifacts) != 1:
            raise StepFailed(
                f"careervp-ci build should leave one artifact in {ARTIFACTS}, found {artifacts!r}"
            )
        return container.directory(ARTIFACTS).file(artifacts[0])

    async def _side_effect(self, argv: list[str], container: dagger.Container) -> str:
        """Run a release command that changes the world: a fresh call id in its environment keeps the
        engine from replaying an earlier run's result (`cache="never"` only covers the function call)."""
        container = container.with_env_variable("CAREERVP_CALL_ID", uuid.uuid4().hex)
        return await (await self._run(argv, container)).stdout()

    @side_effect
    async def publish(
        self,
        *,
        src: Source,
        git: GitDir,
        artifact: Annotated[str, Doc("the artifact's digest, sha256:<64 hex>")],
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """Put the artifact this tree builds into the store, refused unless its digest is `artifact`."""
        container = with_aws(
            await self._built(src, git),
            aws_access_key_id,
            aws_secret_access_key,
            aws_session_token,
            aws_region,
        )
        return await self._side_effect(
            ["careervp-ci", "publish", "--artifact", artifact, "--store", store], container
        )

    async def _release_container(
        self,
        src: dagger.Directory,
        credentials: tuple[dagger.Secret | None, dagger.Secret | None, dagger.Secret | None, str],
        webhook: dagger.Secret | None = None,
    ) -> dagger.Container:
        return with_webhook(with_aws(await self._base(src), *credentials), webhook)

    @side_effect
    async def deploy(
        self,
        *,
        src: Source,
        env: Env,
        artifact: Annotated[str, Doc("the artifact's digest, sha256:<64 hex>; anything else is refused")],
        store: Store,
        change_set: Annotated[
            dagger.File | None, Doc("the reviewed `change-set` summary: approved, then deployed (prod)")
        ] = None,
        approver: Annotated[
            str, Doc("who approved the change set (e.g. github-environment:prod/run-N)")
        ] = "",
        ref: Annotated[str, Doc("the git ref the artifact was built from, recorded in the ledger")] = "",
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
    ) -> str:
        """Deploy exactly the artifact with this digest from the store to env (then verify and smoke)."""
        container = await self._release_container(
            src,
            (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region),
            stripe_webhook_secret,
        )
        if change_set is not None:
            # Approve exactly the reviewed summary first: `approve` refuses one that no longer describes the
            # change (other digest or env, edited, stale baseline), and then nothing deploys.
            container = container.with_file(CHANGE_SET, change_set)
            approve = [
                "careervp-ci",
                "approve",
                "--env",
                env,
                "--artifact",
                artifact,
                "--summary",
                CHANGE_SET,
            ]
            approve += ["--store", store, *(["--approver", approver] if approver else [])]
            container = container.with_env_variable("CAREERVP_CALL_ID", uuid.uuid4().hex)
            container = await self._run(approve, container)
        argv = ["careervp-ci", "deploy", "--env", env, "--artifact", artifact, "--store", store]
        return await self._side_effect([*argv, *(["--ref", ref] if ref else [])], container)

    @side_effect
    async def change_set(
        self,
        *,
        src: Source,
        env: Env,
        artifact: Annotated[str, Doc("the artifact's digest, sha256:<64 hex>")],
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> dagger.File:
        """The change-set summary (JSON) of the artifact against env's live stack; approves nothing.

        Never cached: the same arguments must read the live stack again (it may have changed)."""
        container = await self._release_container(
            src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
        )
        argv = ["careervp-ci", "change-set", "--env", env, "--artifact", artifact, "--out", CHANGE_SET]
        container = container.with_env_variable("CAREERVP_CALL_ID", uuid.uuid4().hex)
        return (await self._run([*argv, "--store", store], container)).file(CHANGE_SET)

    @function
    async def change_set_markdown(
        self, src: Source, summary: Annotated[dagger.File, Doc("a summary from change-set")]
    ) -> str:
        """The summary as Markdown, for $GITHUB_STEP_SUMMARY (pure: the file decides the text)."""
        container = (await self._base(src)).with_file(CHANGE_SET, summary)
        return await (
            await self._run(["careervp-ci", "change-set-markdown", "--summary", CHANGE_SET], container)
        ).stdout()

    @side_effect
    async def verify(
        self,
        *,
        src: Source,
        env: Env,
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """The live stack of env against the artifact its tags name, fetched from the store and re-checked."""
        container = await self._release_container(
            src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
        )
        return await self._side_effect(["careervp-ci", "verify", "--env", env, "--store", store], container)

    @side_effect
    async def smoke(
        self,
        *,
        src: Source,
        env: Env,
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
        phase: Phase = None,
    ) -> str:
        """Smoke-test the deployed API of env (the webhook replay is signed with the environment's secret);
        with phase, only that phase's smoke checks."""
        container = await self._release_container(
            src,
            (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region),
            stripe_webhook_secret,
        )
        argv = ["careervp-ci", "smoke", "--env", env, "--store", store]
        return await self._side_effect([*argv, *(["--phase", phase] if phase else [])], container)

    @side_effect
    async def promote(
        self,
        *,
        src: Source,
        from_: Annotated[str, Doc("the environment whose verified digest moves on"), Name("from")],
        to: Annotated[str, Doc("the environment it moves to")],
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
    ) -> str:
        """Deploy to `to` the digest that passed verify and smoke in `from` (the store's ledger says)."""
        container = await self._release_container(
            src,
            (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region),
            stripe_webhook_secret,
        )
        argv = ["careervp-ci", "promote", "--from", from_, "--to", to, "--store", store]
        return await self._side_effect(argv, container)

    @side_effect
    async def approve(
        self,
        *,
        src: Source,
        env: Env,
        artifact: Annotated[str, Doc("the artifact's digest, sha256:<64 hex>")],
        summary: Annotated[dagger.File, Doc("the reviewed `change-set` summary")],
        approver: Annotated[str, Doc("who approves")],
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """Record an approval of exactly this summary in the store (refused if it no longer holds)."""
        container = (
            await self._release_container(
                src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
            )
        ).with_file(CHANGE_SET, summary)
        argv = ["careervp-ci", "approve", "--env", env, "--artifact", artifact, "--summary", CHANGE_SET]
        return await self._side_effect([*argv, "--approver", approver, "--store", store], container)

    @side_effect
    async def ledger(
        self,
        *,
        src: Source,
        store: Store,
        env: Annotated[str, Doc("only this environment's history")] = "",
        as_json: Annotated[bool, Doc("the records as JSON"), Name("json")] = False,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """The release history kept in the store (never cached: it grows)."""
        container = await self._release_container(
            src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
        )
        argv = ["careervp-ci", "ledger", "--store", store, *(["--env", env] if env else [])]
        return await self._side_effect([*argv, *(["--json"] if as_json else [])], container)

    @side_effect
    async def evidence(
        self,
        *,
        src: Source,
        env: Env,
        store: Store,
        run: Annotated[str, Doc("the run whose evidence to fetch (default: the latest with evidence)")] = "",
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> dagger.Directory:
        """A failed deploy's evidence (stack events, assembly, verifier and smoke output, the log) from the
        store, wherever the deploy ran (`dagger call evidence ... export --path evidence`)."""
        container = (
            await self._release_container(
                src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
            )
        ).with_env_variable("CAREERVP_CALL_ID", uuid.uuid4().hex)
        argv = ["careervp-ci", "evidence", "--env", env, "--out", EVIDENCE, "--store", store]
        return (await self._run([*argv, *(["--run", run] if run else [])], container)).directory(EVIDENCE)

    @side_effect
    async def e2e(
        self,
        *,
        src: Source,
        env: Env,
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
    ) -> str:
        """The happy-path suite over HTTP against env's deployed API (after smoke; fails if it fails)."""
        container = await self._release_container(
            src,
            (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region),
            stripe_webhook_secret,
        )
        return await self._side_effect(["careervp-ci", "e2e", "--env", env, "--store", store], container)

    @side_effect
    async def drift(
        self,
        *,
        src: Source,
        env: Env,
        store: Store,
        coverage: Annotated[
            dagger.File | None, Doc("this run's coverage.xml, compared with main's baseline in the store")
        ] = None,
        slack_webhook: Annotated[
            dagger.Secret | None, Doc("post the table to Slack too (a Slack error never fails the run)")
        ] = None,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """What changed under env without a deploy: its stack against the artifact it runs, the API against
        the contract, coverage against the last main run, cost; a Markdown table for the step summary."""
        container = await self._release_container(
            src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
        )
        argv = ["careervp-ci", "drift", "--env", env, "--store", store]
        if coverage is not None:
            container = container.with_file(COVERAGE, coverage)
            argv += ["--coverage", COVERAGE]
        if slack_webhook is not None:
            container = container.with_secret_variable("SLACK_WEBHOOK", slack_webhook)
        return await self._side_effect(argv, container)

    @side_effect
    async def coverage_baseline(
        self,
        *,
        src: Source,
        coverage: Annotated[dagger.File, Doc("the coverage.xml of a main run")],
        store: Store,
        commit: Annotated[str, Doc("the commit it measured")] = "",
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """Record a main run's coverage in the store: the baseline the nightly drift compares with."""
        container = (
            await self._release_container(
                src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
            )
        ).with_file(COVERAGE, coverage)
        argv = ["careervp-ci", "coverage-baseline", "--coverage", COVERAGE, "--store", store]
        return await self._side_effect([*argv, *(["--commit", commit] if commit else [])], container)

    @side_effect
    async def github_settings(
        self,
        *,
        src: Source,
        apply: Annotated[bool, Doc("push the settings with the GitHub API instead of checking them")] = False,
        repo: Annotated[str, Doc("OWNER/NAME for --apply")] = "",
        github_token: Annotated[
            dagger.Secret | None, Doc("a token that may administer the repository")
        ] = None,
    ) -> str:
        """Branch protection and environments as code: check them against the workflows, or apply them."""
        container = await self._base(src)
        argv = ["careervp-ci", "github-settings", "--apply" if apply else "--check"]
        argv += ["--repo", repo] if repo else []
        if github_token is not None:
            container = container.with_secret_variable("GITHUB_TOKEN", github_token)
        return await self._side_effect(argv, container)

    @side_effect
    async def destroy(
        self,
        *,
        src: Source,
        env: Env,
        confirm: Annotated[str, Doc("the environment's name again (prod is refused)")],
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """Delete env's stack (guarded: --confirm must repeat the name; prod is protected)."""
        container = await self._release_container(
            src, (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region)
        )
        argv = ["careervp-ci", "destroy", "--env", env, "--confirm", confirm, "--store", store]
        return await self._side_effect(argv, container)

    @side_effect
    async def hotfix(
        self,
        *,
        src: Source,
        ref: Annotated[str, Doc("the git ref to release (a tag, branch or commit)")],
        env: Env,
        git: GitDir,
        store: Store,
        override_ref: Annotated[
            str, Doc("to prod: allow a ref neither on main nor a release tag; the reason is recorded")
        ] = "",
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
    ) -> str:
        """Validate, build and deploy the given ref to env in one container (the host's `hotfix`)."""
        container = (
            await self._release_container(
                src,
                (aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region),
                stripe_webhook_secret,
            )
        ).with_directory(f"{WORKDIR}/.git", git)
        argv = ["careervp-ci", "hotfix", "--ref", ref, "--env", env, "--store", store]
        return await self._side_effect(
            [*argv, *(["--override-ref", override_ref] if override_ref else [])], container
        )

    @function
    async def admit_ref(
        self,
        src: Source,
        git: GitDir,
        ref: Annotated[str, Doc("the git ref to release")],
        env: Env,
        override_ref: Annotated[
            str, Doc("to prod: allow a ref neither on main nor a release tag; the reason is printed")
        ] = "",
    ) -> str:
        """Whether `ref` may be released to env: an approval-gated environment (prod) takes only a commit on
        main or a release tag (v*), unless an override reason is given (pure: the history decides)."""
        container = (await self._base(src)).with_directory(f"{WORKDIR}/.git", git)
        argv = ["careervp-ci", "admit-ref", "--ref", ref, "--env", env]
        argv += ["--override-ref", override_ref] if override_ref else []
        return await (await self._run(argv, container)).stdout()

    @function
    async def job(
        self,
        *,
        src: Source,
        git: GitDir,
        profile: Annotated[str, Doc("the profile whose options the step runs with")],
        step: Annotated[str, Doc("one step of the profile (with what it needs, in its container)")],
        seed: Seed = None,
        base_ref: BaseRef = None,
    ) -> dagger.Container:
        """One job of `ci`: the profile's step with the profile's options, in its own container (export its
        reports with `directory --path .reports/<step> export --path ...`; the engine reuses ci's run)."""
        return await self._job(src, profile, step, seed=seed, base_ref=base_ref, git=git)

    async def _job(
        self,
        src: dagger.Directory,
        profile: str,
        step: str,
        *,
        seed: str | None,
        base_ref: str | None = None,
        git: dagger.Directory | None = None,
    ) -> dagger.Container:
        """`careervp-ci ci --profile P --only STEP`; a job that compares with a base ref gets .git and the
        ref, every other job only the tree (so its cache key does not move with the checkout's history)."""
        argv = ["careervp-ci", "ci", "--profile", profile, "--only", step, "--no-cache"]
        argv += ["--seed", seed] if seed else []
        container = await self._base(src)
        if base_ref is not None and git is not None:
            container = container.with_directory(f"{WORKDIR}/.git", git)
            argv += ["--base-ref", base_ref]
        return await self._run(argv, container)

    async def _jobs(self, src: dagger.Directory, profile: str) -> Sequence[Mapping[str, object]]:
        """The profile's jobs, planned inside the toolchain from the tree under test (`dagger_plan`)."""
        listed = (
            await (await self._base(src))
            .with_exec(["python", "-m", "careervp_ci.dagger_plan", profile])
            .stdout()
        )
        jobs: Sequence[Mapping[str, object]] = json.loads(listed)
        return jobs

    async def _planned(
        self,
        src: dagger.Directory,
        job: Mapping[str, object],
        *,
        seed: str | None,
        base_ref: str | None,
        git: dagger.Directory,
    ) -> dagger.Container:
        history = git if job.get("reads_history") else None
        return await self._job(
            src, str(job["profile"]), str(job["step"]), seed=seed, base_ref=base_ref, git=history
        )

    @function
    async def reports(
        self,
        src: Source,
        git: GitDir,
        profile: Annotated[str, Doc("the profile `ci` ran")] = "pr",
        seed: Seed = None,
        base_ref: BaseRef = None,
    ) -> dagger.Directory:
        """Every job's reports (JUnit, coverage, SARIF, SBOM, the OpenAPI diff) of a profile, as one folder;
        after `ci` with the same arguments the engine reuses its containers (`export --path .reports`)."""
        merged = dagger.dag.directory()
        for job in await self._jobs(src, profile):
            container = await self._planned(src, job, seed=seed, base_ref=base_ref, git=git)
            merged = merged.with_directory(".", container.directory(REPORTS))
        return merged

    @function
    async def ci(
        self,
        src: Source,
        git: GitDir,
        profile: Annotated[str, Doc("pr, main, nightly or gap-remediation (careervp_ci.profiles)")] = "pr",
        seed: Seed = None,
        base_ref: BaseRef = None,
        *,
        phase: Phase = None,
    ) -> str:
        """The profile's steps, each in its own container, concurrently; the first failure stops the rest.
        With base_ref, the OpenAPI contract is also checked for breaking changes against that ref; with
        phase, the phase's blueprint runs instead of the profile (a phase not implemented fails, named).

        Final steps (main's release path) start only once every other step has passed."""
        profile = f"phase-{phase}" if phase else profile
        jobs = await self._jobs(src, profile)
        results: dict[str, str] = {}
        failures: list[str] = []

        async def run(job: Mapping[str, object], scope: anyio.CancelScope) -> None:
            step = str(job["step"])
            try:
                await self._planned(src, job, seed=seed, base_ref=base_ref, git=git)
            except StepFailed as failure:
                results[step] = "failed"
                failures.append(str(failure))
                scope.cancel()
            else:
                results[step] = "passed"

        for stage in (
            [job for job in jobs if not job.get("final")],
            [job for job in jobs if job.get("final")],
        ):
            if failures:
                break
            async with anyio.create_task_group() as group:
                for job in stage:
                    group.start_soon(run, job, group.cancel_scope)
        summary = ci_summary(profile, jobs, results)
        if failures:
            raise StepFailed("\n\n".join([summary, *failures]))
        return summary


def ci_summary(profile: str, jobs: Sequence[Mapping[str, object]], results: Mapping[str, str]) -> str:
    """One line per step: passed, failed, or stopped before it finished (fail-fast)."""
    lines = [f"dagger call ci --profile {profile}"]
    for job in jobs:
        step = str(job["step"])
        covers = ", ".join(str(name) for name in cast(Sequence[str], job.get("covers", ())))
        note = f" (runs {covers} in its container)" if covers else ""
        unfinished = "not started" if job.get("final") else "stopped (fail-fast)"
        lines.append(f"  {results.get(step, unfinished):<20} {step}{note}")
    failed = [step for step, status in results.items() if status == "failed"]
    lines.append(f"verdict: {'FAILED: ' + ', '.join(failed) if failed else 'passed'}")
    return "\n".join(lines)
