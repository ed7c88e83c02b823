"""The Dagger module's gates: one function per catalogue step, each running the host's own `careervp-ci
<step>` in the toolchain container from `setup`.

`Careervp`, the module's main object (`careervp_ci.dagger_module.main`), inherits them: the SDK registers
every `@function` among the class's members, inherited ones included (`inspect.getmembers` in the SDK's
`Module._process_type`), so each gate stays a top-level `dagger call <step>` and a `dagger check`, while the
main object keeps the runs that combine them (`ci`, `job`, `reports`) and the release path.
"""

from __future__ import annotations

from typing import Annotated

import dagger
from dagger import Doc, check, function

from careervp_ci.dagger_module.arguments import GitDir, Source
from careervp_ci.dagger_module.containers import base, run
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.plan import REPORTS
from careervp_ci.dagger_module.setup import WORKDIR
from careervp_ci.pipeline.steps.catalogue import CATALOGUE, SUITES
from careervp_ci.pipeline.steps.frontend import DIST as FRONTEND_DIST
from careervp_ci.pipeline.steps.synth import ASSEMBLY

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


def step_argv(*command: str, **options: str | None) -> list[str]:
    """`careervp-ci <command> --no-cache [--option value ...]`: the host's command line, minus the host's
    result store (the engine caches the container already)."""
    argv = ["careervp-ci", *command, "--no-cache"]
    for name, value in options.items():
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", value]
    return argv


class Gates:
    """The quality gates, each in its own container (inherited by the main object, `Careervp`)."""

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
