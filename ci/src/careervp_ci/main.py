"""CareerVP's pipeline as a Dagger module: the host executor's steps, each in a pinned container.

Every function runs the same entry point as the host (`careervp-ci <step>`) inside the container from
`setup`, so the two executors cannot drift apart; the parity tests in tests/ci/test_dagger_module.py
compare this class with the step catalogue. This module imports nothing from the catalogue: its step
modules need dev-only packages that the Dagger module runtime does not install.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Final, TypeVar, cast

import anyio
import dagger
from dagger import DefaultPath, Doc, Ignore, check, function, object_type

from careervp_ci.dagger_failures import StepFailed, describe_failure
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
DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")

F = TypeVar("F", bound=Callable[..., object])
side_effect = cast(Callable[[F], F], function(cache="never"))  # type: ignore[call-overload]
"""`@function(cache="never")`: dagger-io 0.21.11 accepts `cache` but leaves it out of the typed overloads."""

Suite = Annotated[str, Doc(f"test suite: {', '.join(SUITES)}")]
Marker = Annotated[str | None, Doc("pytest -m expression selecting tests (e.g. 'not slow')")]
Keyword = Annotated[str | None, Doc("pytest -k expression selecting tests (e.g. 'gap or company_research')")]
Seed = Annotated[str | None, Doc("random-order seed, to replay a run (always printed)")]
BaseRef = Annotated[str | None, Doc("git ref whose committed spec is the baseline for breaking changes")]
Env = Annotated[str, Doc("target environment: local (the AWS emulator), dev, staging, prod")]
Store = Annotated[
    str, Doc("artifact store URI (s3://bucket/prefix); empty: build into the container's store")
]
AwsKeyId = Annotated[dagger.Secret | None, Doc("AWS access key id, e.g. env:AWS_ACCESS_KEY_ID")]
AwsSecretKey = Annotated[dagger.Secret | None, Doc("AWS secret access key, e.g. env:AWS_SECRET_ACCESS_KEY")]
AwsSessionToken = Annotated[dagger.Secret | None, Doc("AWS session token (OIDC/assumed role)")]
AwsRegion = Annotated[str, Doc("AWS region; empty: the environment's own")]
WebhookSecret = Annotated[dagger.Secret | None, Doc("Stripe webhook signing secret (local targets)")]
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
        return toolchain(src, lock_digest)

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
    ) -> dagger.Container:
        """One pytest suite with JUnit XML (reports in .reports/<suite>)."""
        if suite not in SUITES:
            raise StepFailed(f"unknown suite {suite!r}; valid suites: {', '.join(SUITES)}")
        argv = step_argv("test", "--suite", suite, marker=marker, keyword=keyword, seed=seed)
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
            container = with_git(container).with_directory(f"{WORKDIR}/.git", git)
        return await self._run(step_argv("openapi", base_ref=base_ref), container)

    @function
    @check
    async def workflows(self, src: Source) -> dagger.Container:
        """actionlint (with shellcheck) and zizmor --offline over .github/workflows."""
        return await self._step(src, "workflows")

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

    @function
    async def build(self, src: Source) -> dagger.File:
        """The release artifact, built once from the tree (export with --path artifact.tar).

        Cached like any pure function: the build is reproducible, so the same tree gives the same bytes.
        """
        container = await self._run(["careervp-ci", "build", "--out", ARTIFACTS], await self._base(src))
        output = await container.stdout()
        digests = DIGEST.findall(output)
        if not digests:
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

    async def _release(self, argv: list[str], container: dagger.Container, store: str) -> str:
        """Run a release command against `store`; without one, build into the container's own store first."""
        if store:
            argv = [*argv, "--store", store]
        else:
            container = container.with_exec(["careervp-ci", "build"])
        return await (await self._run(argv, container)).stdout()

    @side_effect
    async def publish(
        self,
        *,
        src: Source,
        artifact: Annotated[str, Doc("the artifact's digest, sha256:<64 hex>")],
        store: Store = "",
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """Publish the artifact built from this tree to the store (refused if the digest differs)."""
        container = with_aws(
            await self._base(src), aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region
        )
        return await self._release(["careervp-ci", "publish", "--artifact", artifact], container, store)

    @side_effect
    async def deploy(
        self,
        *,
        src: Source,
        env: Env,
        artifact: Annotated[str, Doc("the artifact's digest, sha256:<64 hex>; anything else is refused")],
        store: Store = "",
        approval: Annotated[dagger.File | None, Doc("the approval record (prod)")] = None,
        change_set: Annotated[
            dagger.File | None, Doc("the reviewed `change-set` summary: approved, then deployed (prod)")
        ] = None,
        approver: Annotated[
            str, Doc("who approved the change set (e.g. github-environment:prod/run-N)")
        ] = "",
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
    ) -> str:
        """Deploy exactly the artifact with this digest to env, or refuse."""
        container = with_aws(
            await self._base(src), aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region
        )
        container = with_webhook(container, stripe_webhook_secret)
        argv = ["careervp-ci", "deploy", "--env", env, "--artifact", artifact]
        if approval is not None:
            container = container.with_file("/approval/approval.json", approval)
            argv += ["--approval", "/approval/approval.json"]
        if change_set is not None:
            # Approve exactly the reviewed summary first, in this container: `approve` refuses one that no
            # longer describes the change (other digest or env, edited, stale baseline), and nothing deploys.
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
            approve += ["--approver", approver] if approver else []
            container = container.with_file(CHANGE_SET, change_set)
            store_args = ["--store", store] if store else []
            if not store:
                container = container.with_exec(["careervp-ci", "build"])
            container = await self._run([*approve, *store_args], container)
            return await (await self._run([*argv, *store_args], container)).stdout()
        return await self._release(argv, container, store)

    @side_effect
    async def change_set(
        self,
        *,
        src: Source,
        env: Env,
        artifact: Annotated[str, Doc("the artifact's digest, sha256:<64 hex>")],
        store: Store = "",
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> dagger.File:
        """The change-set summary (JSON) of the artifact against env's live stack; approves nothing.

        Never cached: the same arguments must read the live stack again (it may have changed)."""
        container = with_aws(
            await self._base(src), aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region
        )
        argv = ["careervp-ci", "change-set", "--env", env, "--artifact", artifact, "--out", CHANGE_SET]
        if store:
            argv += ["--store", store]
        else:
            container = container.with_exec(["careervp-ci", "build"])
        return (await self._run(argv, container)).file(CHANGE_SET)

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
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """Compare the deployed environment with the synthesized one (verified / drifted / not verifiable)."""
        container = with_aws(
            await self._base(src), aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region
        )
        return await (await self._run(["careervp-ci", "verify", "--env", env], container)).stdout()

    @side_effect
    async def smoke(
        self,
        *,
        src: Source,
        env: Env,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
    ) -> str:
        """Smoke-test the deployed API of env."""
        container = with_aws(
            await self._base(src), aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region
        )
        container = with_webhook(container, stripe_webhook_secret)
        return await (await self._run(["careervp-ci", "smoke", "--env", env], container)).stdout()

    @side_effect
    async def hotfix(
        self,
        *,
        src: Source,
        ref: Annotated[str, Doc("the git ref to release (a tag, branch or commit)")],
        env: Env,
        git: GitDir,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
        stripe_webhook_secret: WebhookSecret = None,
    ) -> str:
        """Build the given ref and send it through the release path to env (git runs in the container)."""
        container = with_git(await self._base(src)).with_directory(f"{WORKDIR}/.git", git)
        container = with_aws(
            container, aws_access_key_id, aws_secret_access_key, aws_session_token, aws_region
        )
        container = with_webhook(container, stripe_webhook_secret)
        return await (
            await self._run(["careervp-ci", "hotfix", "--ref", ref, "--env", env], container)
        ).stdout()

    def _job_function(self, step: str) -> Callable[..., Awaitable[object]]:
        """The function that runs a catalogue step (suites go through `test`)."""
        if step in SUITES:
            return lambda **options: self.test(suite=step, **options)
        functions: Mapping[str, Callable[..., Awaitable[object]]] = {
            "format": self.format,
            "lint": self.lint,
            "typecheck": self.typecheck,
            "naming": self.naming,
            "coverage": self.coverage,
            "synth": self.synth,
            "openapi": lambda **options: self.openapi(git=dagger.dag.directory(), **options),
            "workflows": self.workflows,
            "audit": self.audit,
            "sbom": self.sbom,
            "release-local": self.release_local,
        }
        if step not in functions:
            raise StepFailed(f"step {step!r} has no Dagger function; add one to ci/src/careervp_ci/main.py")
        return functions[step]

    @function
    async def ci(
        self,
        src: Source,
        profile: Annotated[str, Doc("pr, main, nightly or gap-remediation (careervp_ci.profiles)")] = "pr",
        seed: Seed = None,
    ) -> str:
        """The profile's steps, each in its own container, concurrently; the first failure stops the rest.

        Final steps (main's release path) start only once every other step has passed."""
        listed = (
            await (await self._base(src))
            .with_exec(["python", "-m", "careervp_ci.dagger_plan", profile])
            .stdout()
        )
        jobs: Sequence[Mapping[str, object]] = json.loads(listed)
        results: dict[str, str] = {}
        failures: list[str] = []

        async def run(job: Mapping[str, object], scope: anyio.CancelScope) -> None:
            step = str(job["step"])
            options = {key.replace("-", "_"): value for key, value in dict(job["options"]).items()}  # type: ignore[call-overload]
            if seed is not None and step in SUITES:
                options["seed"] = seed
            try:
                await self._job_function(step)(src=src, **options)
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


def with_git(container: dagger.Container) -> dagger.Container:
    """git for the functions that read history (openapi's base ref, hotfix)."""
    return container.with_exec(
        ["sh", "-c", "apt-get update -qq && apt-get install -qqy --no-install-recommends git >/dev/null"]
    ).with_exec(["git", "config", "--global", "--add", "safe.directory", WORKDIR])


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
