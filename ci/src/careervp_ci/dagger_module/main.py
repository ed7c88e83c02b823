"""CareerVP's pipeline as a Dagger module: the host executor's steps, each in a pinned container.

Every function runs the same entry point as the host (`careervp-ci <step>`) inside the container from `setup`,
so the two executors cannot drift apart. The gates, one per catalogue step, are inherited from
`careervp_ci.dagger_module.gates`; here are the runs that combine them (`ci`, `job`, `reports`, scheduled
by `careervp_ci.dagger_module.jobs` from the Plan's edges) and the release path. The parity tests in
tests/ci/dagger_module/test_dagger_module.py compare this class with the step catalogue, and
tests/ci/dagger_module/test_dagger_plan.py holds `ci`'s jobs to the host's Plan.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, cast

import dagger
from dagger import Doc, function, object_type

from careervp_ci.dagger_module.arguments import (
    AwsKeyId,
    AwsRegion,
    AwsSecretKey,
    AwsSessionToken,
    Commit,
    Env,
    GitDir,
    ResultStoreUri,
    Source,
    Store,
    WriteResults,
)
from careervp_ci.dagger_module.containers import ARTIFACTS, base, built, run, run_once, side_effect
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.gates import BaseRef, Gates, Seed
from careervp_ci.dagger_module.jobs import ci_summary, listed_jobs, needed_by, run_jobs
from careervp_ci.dagger_module.plan import REPORTS
from careervp_ci.dagger_module.release import CHANGE_SET, DRIFT_TABLES, Release
from careervp_ci.dagger_module.result_store import ResultStore
from careervp_ci.dagger_module.setup import WORKDIR
from careervp_ci.pipeline.profiles import PROFILES

DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")

Phase = Annotated[
    str | None,
    Doc("a phase of the strategy (careervp_ci.pipeline.phases, e.g. 12): its blueprint instead of a profile"),
]


@object_type
class Careervp(Gates):
    """CareerVP's quality gates and release path, each in a pinned container (`dagger call ci --src .`).
    The gates, one function per catalogue step, are `Gates`'s (`careervp_ci.dagger_module.gates`).

    The tree is each function's `src` argument, not a constructor field: the Dagger CLI takes constructor
    flags only before the function name (`dagger call --src . ci`), the host CLI takes `--src` on the step."""

    @function
    async def setup(self, src: Source) -> dagger.Container:
        """The base container: pinned Python and uv, the locked Python and Node tools, and the tree."""
        return await base(src)

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
        step: Annotated[str, Doc("one step of the profile (after the jobs it waits for)")],
        seed: Seed = None,
        base_ref: BaseRef = None,
        result_store: ResultStoreUri = "",
        write_results: WriteResults = False,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> dagger.Container:
        """One job of `ci`: the profile's step with the profile's options, in its own container, after the
        jobs it waits for (export its reports with `directory --path .reports/<step> export --path ...`;
        the engine reuses ci's runs when given the same arguments)."""
        store = ResultStore.named(
            result_store,
            writable=write_results,
            access_key_id=aws_access_key_id,
            secret_access_key=aws_secret_access_key,
            session_token=aws_session_token,
            region=aws_region,
        )
        jobs = (await listed_jobs(src, profile)).jobs
        if step not in {job.step for job in jobs}:
            raise StepFailed(
                f"step {step!r} is no step of profile {profile}: {', '.join(j.step for j in jobs)}"
            )
        done = await run_jobs(src, needed_by(jobs, step), seed=seed, base_ref=base_ref, git=git, store=store)
        done.raise_failures()
        return done.containers[step]

    @function
    async def reports(
        self,
        src: Source,
        git: GitDir,
        profile: Annotated[str, Doc("the profile `ci` ran")] = "pr",
        seed: Seed = None,
        base_ref: BaseRef = None,
        *,
        result_store: ResultStoreUri = "",
        write_results: WriteResults = False,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> dagger.Directory:
        """Every job's reports (JUnit, coverage, SARIF, SBOM, the OpenAPI diff) of a profile, as one folder;
        after `ci` with the same arguments the engine reuses its containers (`export --path .reports`)."""
        store = ResultStore.named(
            result_store,
            writable=write_results,
            access_key_id=aws_access_key_id,
            secret_access_key=aws_secret_access_key,
            session_token=aws_session_token,
            region=aws_region,
        )
        jobs = (await listed_jobs(src, profile)).jobs
        done = await run_jobs(src, jobs, seed=seed, base_ref=base_ref, git=git, store=store)
        done.raise_failures()
        merged = dagger.dag.directory()
        for container in done.containers.values():
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
        result_store: ResultStoreUri = "",
        write_results: WriteResults = False,
        aws_access_key_id: AwsKeyId = None,
        aws_secret_access_key: AwsSecretKey = None,
        aws_session_token: AwsSessionToken = None,
        aws_region: AwsRegion = "",
    ) -> str:
        """The profile's steps, each in its own container, each once the steps it needs passed (the Plan's
        edges), concurrently otherwise; the first failure stops the rest. With base_ref, the OpenAPI
        contract is also checked for breaking changes against that ref; with phase, the phase's blueprint
        runs instead of the profile (a phase not implemented fails, named). With result_store, a step whose
        inputs and toolchain a verified entry matches is taken from it ("from store"); with write_results
        (trusted runs only), each pass is published there (`dagger_module.result_store`).

        Final steps (main's release path) start only once every other step has passed."""
        store = ResultStore.named(
            result_store,
            writable=write_results,
            access_key_id=aws_access_key_id,
            secret_access_key=aws_secret_access_key,
            session_token=aws_session_token,
            region=aws_region,
        )
        listed = await listed_jobs(src, profile, phase)
        done = await run_jobs(src, listed.jobs, seed=seed, base_ref=base_ref, git=git, store=store)
        summary = ci_summary(listed.profile, listed.jobs, done.results, done.notes)
        done.raise_failures(summary)
        return summary
