"""CareerVP's pipeline as a Dagger module: the host executor's steps, each in a pinned container.

Every function runs the same entry point as the host (`careervp-ci <step>`) inside the container from `setup`,
so the two executors cannot drift apart; the parity tests in tests/ci/dagger_module/test_dagger_module.py
compare this class with the step catalogue, and tests/ci/dagger_module/test_dagger_plan.py holds `ci`'s jobs
to the host's Plan. Step descriptions and suite names come from the catalogue, which loads with only the
packages the Dagger module runtime installs (step modules import their tools where they run them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, cast

import anyio
import dagger
from dagger import Doc, check, function, object_type

from careervp_ci.dagger_module.arguments import (
    AwsKeyId,
    AwsRegion,
    AwsSecretKey,
    AwsSessionToken,
    Commit,
    Env,
    GitDir,
    Source,
    Store,
)
from careervp_ci.dagger_module.containers import ARTIFACTS, base, built, run, run_once, side_effect
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.plan import job_plan
from careervp_ci.dagger_module.release import CHANGE_SET, DRIFT_TABLES, Release
from careervp_ci.dagger_module.setup import WORKDIR
from careervp_ci.pipeline.profiles import PROFILES
from careervp_ci.pipeline.steps.catalogue import CATALOGUE, SUITES
from careervp_ci.pipeline.steps.frontend import DIST as FRONTEND_DIST
from careervp_ci.pipeline.steps.synth import ASSEMBLY

REPORTS: Final = ".reports"
"""Where `careervp-ci` writes each step's reports (`<src>/.reports/<step>`)."""
DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")

Suite = Annotated[str, Doc(f"test suite: {', '.join(SUITES)}")]
Marker = Annotated[str | None, Doc("pytest -m expression selecting tests (e.g. 'not slow')")]
Keyword = Annotated[str | None, Doc("pytest -k expression selecting tests (e.g. 'gap or company_research')")]
Paths = Annotated[str | None, Doc("space-separated test files, folders or node ids (none collected: fails)")]
Seed = Annotated[str | None, Doc("random-order seed, to replay a run (always printed)")]
BaseRef = Annotated[str | None, Doc("git ref whose committed spec is the baseline for breaking changes")]


def step_doc(step: str, returns: str = "") -> str:
    """A step function's description: the catalogue's summary, the one both executors show, and what the
    function returns when that is more than the container."""
    summary = CATALOGUE[step].summary
    return f"{summary}; {returns}" if returns else summary


def job_argv(profile: str, step: str, *, seed: str | None, base_ref: str | None) -> list[str]:
    """A job of `ci`: the host's own `ci` narrowed to one step of the profile's Plan (`--only`), so the job
    runs the Plan the host would, with the options the host would give it."""
    argv = ["careervp-ci", "ci", "--profile", profile, "--only", step, "--no-cache"]
    argv += ["--seed", seed] if seed else []
    return argv + (["--base-ref", base_ref] if base_ref is not None else [])


Phase = Annotated[
    str | None,
    Doc("a phase of the strategy (careervp_ci.pipeline.phases, e.g. 12): its blueprint instead of a profile"),
]


def step_argv(*command: str, **options: str | None) -> list[str]:
    """`careervp-ci <command> --no-cache [--option value ...]`: the host's command line, minus the host's
    result store (the engine caches the container already)."""
    argv = ["careervp-ci", *command, "--no-cache"]
    for name, value in options.items():
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", value]
    return argv


@object_type
class Careervp:
    """CareerVP's quality gates and release path, each in a pinned container (`dagger call ci --src .`).

    The tree is each function's `src` argument, not a constructor field: the Dagger CLI takes constructor
    flags only before the function name (`dagger call --src . ci`), the host CLI takes `--src` on the step."""

    @function
    async def setup(self, src: Source) -> dagger.Container:
        """The base container: pinned Python and uv, the locked Python and Node tools, and the tree."""
        return await base(src)

    async def _step(self, src: dagger.Directory, step: str, **options: str | None) -> dagger.Container:
        needs = CATALOGUE[step]
        container = await base(src, browser=needs.needs_browser, git=needs.needs_git)
        return await run(step_argv(step, **options), container)

    @function(doc=step_doc("format"))
    @check
    async def format(self, src: Source) -> dagger.Container:
        return await self._step(src, "format")

    @function(doc=step_doc("lint"))
    @check
    async def lint(self, src: Source) -> dagger.Container:
        return await self._step(src, "lint")

    @function(doc=step_doc("typecheck"))
    @check
    async def typecheck(self, src: Source) -> dagger.Container:
        return await self._step(src, "typecheck")

    @function(doc=step_doc("naming"))
    @check
    async def naming(self, src: Source) -> dagger.Container:
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
        return await run(argv, await base(src))

    @function(doc=step_doc("coverage"))
    @check
    async def coverage(self, src: Source) -> dagger.Container:
        return await self._step(src, "coverage")

    @function(doc=step_doc("synth", "returns the cloud assembly (`export --path cdk.out`)"))
    @check
    async def synth(self, src: Source) -> dagger.Directory:
        return (await self._step(src, "synth")).directory(ASSEMBLY)

    @function(doc=step_doc("openapi"))
    @check
    async def openapi(self, src: Source, git: GitDir, base_ref: BaseRef = None) -> dagger.Container:
        container = await base(src)
        if base_ref is not None:
            container = container.with_directory(f"{WORKDIR}/.git", git)
        return await run(step_argv("openapi", base_ref=base_ref), container)

    @function(doc=step_doc("frontend-lint"))
    @check
    async def frontend_lint(self, src: Source) -> dagger.Container:
        return await self._step(src, "frontend-lint")

    @function(doc=step_doc("frontend-unit"))
    @check
    async def frontend_unit(self, src: Source) -> dagger.Container:
        return await self._step(src, "frontend-unit")

    @function(doc=step_doc("frontend-build", "returns the built files (`export --path dist`)"))
    @check
    async def frontend_build(self, src: Source) -> dagger.Directory:
        return (await self._step(src, "frontend-build")).directory(FRONTEND_DIST)

    @function(doc=step_doc("workflows"))
    @check
    async def workflows(self, src: Source) -> dagger.Container:
        return await self._step(src, "workflows")

    @function(doc=step_doc("docs"))
    @check
    async def docs(self, src: Source) -> dagger.Container:
        return await self._step(src, "docs")

    @function(doc=step_doc("secrets"))
    @check
    async def secrets(self, src: Source) -> dagger.Container:
        return await self._step(src, "secrets")

    @function(doc=step_doc("pipeline-tests"))
    @check
    async def pipeline_tests(
        self, src: Source, marker: Marker = None, keyword: Keyword = None, seed: Seed = None
    ) -> dagger.Container:
        return await self._step(src, "pipeline-tests", marker=marker, keyword=keyword, seed=seed)

    @function(doc=step_doc("audit"))
    @check
    async def audit(self, src: Source) -> dagger.Container:
        return await self._step(src, "audit")

    @function(doc=step_doc("sbom", "returns them (`export --path sbom`)"))
    @check
    async def sbom(self, src: Source) -> dagger.Directory:
        return (await self._step(src, "sbom")).directory(f"{REPORTS}/sbom")

    @function(doc=step_doc("release-local", "all inside one container"))
    async def release_local(self, src: Source) -> dagger.Container:
        """Not a @check: `dagger check` starts every check at once, and this rehearsal must follow the gates
        (`ci --profile main` starts it last). Cached like a gate, deliberately: the emulator, the deploy,
        its ledger and the throwaway webhook secret live and die inside this container, so nothing outside
        changes and the verdict is a function of the tree alone. Re-running it on an unchanged tree would
        only repeat minutes of work; the real deploys (`deploy`, `publish`, ...) are the ones never cached.
        """
        return await run(step_argv("release-local"), await base(src, browser=True))

    @function
    async def build(self, src: Source, commit: Commit) -> dagger.File:
        """The release artifact, built once from the tree (export with --path artifact.tar).

        Cached like any pure function: the build is reproducible, and its inputs are the tree's content and
        the commit, so the same commit gives the same bytes from any checkout.
        """
        container = await built(src, commit)
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

    @function
    def release(
        self,
        *,
        src: Source,
        store: Store,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> Release:
        """The release path against one artifact store, with the AWS credentials named once
        (`dagger call release --store s3://... --aws-access-key-id env:AWS_ACCESS_KEY_ID ... deploy ...`)."""
        # The SDK declares object_type a dataclass transform, but mypy does not see it through the SDK's
        # module-level alias, so the generated keyword constructor is called untyped.
        release: Release = cast(Any, Release)(
            src=src,
            store=store,
            region=aws_region,
            access_key_id=aws_access_key_id,
            secret_access_key=aws_secret_access_key,
            session_token=aws_session_token,
        )
        return release

    @function
    async def change_set_markdown(
        self, src: Source, summary: Annotated[dagger.File, Doc("a summary from change-set")]
    ) -> str:
        """The summary as Markdown, for $GITHUB_STEP_SUMMARY (pure: the file decides the text)."""
        container = (await base(src)).with_file(CHANGE_SET, summary)
        argv = ["careervp-ci", "change-set-markdown", "--summary", CHANGE_SET]
        return await (await run(argv, container)).stdout()

    @side_effect
    async def drift_table(
        self,
        src: Source,
        tables: Annotated[dagger.Directory, Doc("the table each environment's `release ... drift` printed")],
        slack_webhook: Annotated[
            dagger.Secret | None, Doc("post the one table to Slack (a Slack error never fails the call)")
        ] = None,
    ) -> str:
        """The nightly's one drift report: every environment's table in one, for the step summary and, posted
        once, Slack (release.drift_table); never cached: it posts."""
        container = (await base(src)).with_directory(DRIFT_TABLES, tables)
        if slack_webhook is not None:
            container = container.with_secret_variable("SLACK_WEBHOOK", slack_webhook)
        return await run_once(["python", "-m", "careervp_ci.release.drift_table", DRIFT_TABLES], container)

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
        container = await base(src)
        argv = ["careervp-ci", "github-settings", "--apply" if apply else "--check"]
        argv += ["--repo", repo] if repo else []
        if github_token is not None:
            container = container.with_secret_variable("GITHUB_TOKEN", github_token)
        return await run_once(argv, container)

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
        container = (await base(src)).with_directory(f"{WORKDIR}/.git", git)
        argv = ["careervp-ci", "admit-ref", "--ref", ref, "--env", env]
        argv += ["--override-ref", override_ref] if override_ref else []
        return await (await run(argv, container)).stdout()

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
        planned = job_plan(profile, step).steps
        browser = any(each.needs_browser for each in planned)
        tests_git = any(each.needs_git for each in planned)
        return await self._job(
            src, profile, step, seed=seed, base_ref=base_ref, git=git, browser=browser, tests_git=tests_git
        )

    async def _job(
        self,
        src: dagger.Directory,
        profile: str,
        step: str,
        *,
        seed: str | None,
        base_ref: str | None = None,
        git: dagger.Directory | None = None,
        browser: bool = False,
        tests_git: bool = False,
    ) -> dagger.Container:
        """`careervp-ci ci --profile P --only STEP`; a job that compares with a base ref gets .git and the
        ref, every other job only the tree (so its cache key does not move with the checkout's history);
        a job that drives Chromium gets it installed, one whose tests build repositories git."""
        container = await base(src, browser=browser, git=tests_git)
        if base_ref is not None and git is not None:
            container = container.with_directory(f"{WORKDIR}/.git", git)
        else:
            base_ref = None
        return await run(job_argv(profile, step, seed=seed, base_ref=base_ref), container)

    async def _jobs(self, src: dagger.Directory, profile: str) -> Sequence[Mapping[str, object]]:
        """The profile's jobs, planned in the toolchain from the tree under test (`dagger_module.plan`)."""
        listed = (
            await (await base(src))
            .with_exec(["python", "-m", "careervp_ci.dagger_module.plan", profile])
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
            src,
            str(job["profile"]),
            str(job["step"]),
            seed=seed,
            base_ref=base_ref,
            git=history,
            browser=bool(job.get("needs_browser")),
            tests_git=bool(job.get("needs_git")),
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
        profile: Annotated[str, Doc(f"one of: {', '.join(PROFILES)} (careervp_ci.pipeline.profiles)")] = "pr",
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
