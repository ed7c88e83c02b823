"""The Dagger module, checked without an engine.

Two kinds of evidence: the SDK's own registry (`Careervp.__dagger_module__._objects`, what `dagger functions`
would list) compared with the host catalogue, and the lazy query each function builds (`_ctx.selections`),
which pins the recipe: image digest, caches, secrets and the `careervp-ci` command run in the container.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import dagger
import pytest
from careervp_ci.dagger_module import jobs as dagger_jobs
from careervp_ci.dagger_module import setup as dagger_setup
from careervp_ci.dagger_module.arguments import SOURCE_ALLOW_LIST
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.dagger_module.jobs import JobRun, run_job
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.dagger_module.plan import Job, Jobs, request_jobs
from careervp_ci.dagger_module.release import CHANGE_SET
from careervp_ci.host.cli import build_parser, ci_request
from careervp_ci.pipeline.profiles import PROFILES
from careervp_ci.pipeline.resolve import Request, resolve
from careervp_ci.pipeline.steps import synth
from careervp_ci.pipeline.steps.catalogue import CATALOGUE, RELEASE_PATH, SUITES
from dagger import dag
from dagger._engine._version import CLI_VERSION
from dagger.mod._converter import to_typedef
from dagger.mod._resolver import Function, ObjectType
from support.dagger_recipes import FAKE_DIGEST, cache_keys, calls, execs, recorded_run, tree

ROOT = Path(__file__).resolve().parents[3]
RELEASE_FUNCTIONS = {"build", "change_set_markdown", "drift_table", "github_settings", "release"}
"""The release path on the main object; `release` returns the object with the rest (test_dagger_release)."""
SIDE_EFFECTS = {"drift_table", "github_settings"}
"""Post to Slack, administer the GitHub repository (a token, no AWS): never cached. build and
change-set-markdown are pure (the tree, the summary file decide the bytes); release only names the store and
the credentials."""
MODULE_ONLY = {"setup", "ci", "job", "reports", "test"}
PURE_RELEASE = {"admit_ref"}
"""Release commands whose answer the inputs decide (the ref's history), so they keep the default cache."""
DAGGER_ONLY_ARGUMENTS = {"openapi": {"git"}}
"""Arguments a function has beyond the catalogue's options (openapi reads the base ref's spec from .git)."""
GATES = {name.replace("-", "_") for name in CATALOGUE if name not in SUITES and name not in RELEASE_PATH} | {
    "test"
}
"""`dagger check` starts every check at once, so the release path (which must follow the gates) is none."""


def registered() -> ObjectType[Any]:
    return Careervp.__dagger_module__._objects["Careervp"]  # type: ignore[attr-defined,no-any-return]


def functions() -> dict[str, Function[Any, Any]]:
    """The module's functions by API name (the constructor, registered under "", is not one)."""
    return {name: function for name, function in registered().functions.items() if name}


def api_names(function: Function[Any, Any]) -> set[str]:
    return set(function.parameters)


def python_name(step: str) -> str:
    """The module's name for a catalogue step: `release-local` -> `release_local` (CLI: release-local)."""
    return step.replace("-", "_")


def expected_functions(catalogue: set[str]) -> set[str]:
    return (
        {python_name(step) for step in catalogue - set(SUITES)}
        | MODULE_ONLY
        | RELEASE_FUNCTIONS
        | PURE_RELEASE
    )


def parity_problems(module: set[str], catalogue: set[str]) -> list[str]:
    """Steps on one side only, named for the person who has to fix them."""
    expected = expected_functions(catalogue)
    return [f"catalogue step {name!r} has no Dagger function" for name in sorted(expected - module)] + [
        f"Dagger function {name!r} is no catalogue step" for name in sorted(module - expected)
    ]


def test_module_functions_are_the_catalogue_steps_plus_setup_release_and_ci() -> None:
    assert parity_problems(set(functions()), set(CATALOGUE)) == []


@pytest.mark.parametrize("side", ["catalogue", "module"])
def test_parity_check_names_a_step_that_exists_on_one_side_only(side: str) -> None:
    module, catalogue = set(functions()), set(CATALOGUE)
    if side == "catalogue":
        catalogue.add("licenses")
        assert parity_problems(module, catalogue) == ["catalogue step 'licenses' has no Dagger function"]
    else:
        module.discard("lint")
        assert parity_problems(module, catalogue) == ["catalogue step 'lint' has no Dagger function"]


@pytest.mark.parametrize(
    ("module_extra", "catalogue_extra", "problem"),
    [
        (set(), {"release-prod"}, "catalogue step 'release_prod' has no Dagger function"),
        ({"release_prod"}, set(), "Dagger function 'release_prod' is no catalogue step"),
        ({"releaselocal"}, set(), "Dagger function 'releaselocal' is no catalogue step"),
    ],
)
def test_parity_check_maps_hyphenated_steps_exactly_and_names_drift(
    module_extra: set[str], catalogue_extra: set[str], problem: str
) -> None:
    module, catalogue = set(functions()) | module_extra, set(CATALOGUE) | catalogue_extra
    assert parity_problems(module, catalogue) == [problem]


@pytest.mark.parametrize("step", sorted(set(CATALOGUE) - set(SUITES)))
def test_step_function_arguments_match_the_catalogue_options(step: str) -> None:
    function = functions()[python_name(step)]
    options = {option.name.replace("-", "_"): option.default for option in CATALOGUE[step].options}
    extra = DAGGER_ONLY_ARGUMENTS.get(step, set())
    assert api_names(function) - extra == {"src"} | set(options)
    for name, default in options.items():
        assert function.parameters[name].signature.default == default


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_test_function_takes_the_suite_and_its_selection_options(suite: str) -> None:
    function = functions()["test"]
    options = {option.name for option in SUITES[suite].options}
    assert api_names(function) == {"src", "suite"} | options
    assert function.parameters["suite"].signature.default == "unit"


def test_every_function_and_argument_has_a_type_the_engine_accepts() -> None:
    module = Careervp.__dagger_module__  # type: ignore[attr-defined]
    constructor = registered().get_constructor(module._converter)
    for name, function in {**functions(), "constructor": constructor}.items():
        to_typedef(function.return_type, f"return of {name}")
        for parameter in function.parameters.values():
            to_typedef(parameter.resolved_type, f"{parameter.name} of {name}")


def host_commands_taking_src() -> set[str]:
    """The `careervp-ci` commands that accept `--src DIR`, read from the host's own parser."""
    parser, _ = build_parser(with_release=True)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name
        for name, command in commands.choices.items()
        if any("--src" in action.option_strings for action in command._actions)
    }


def function_for(command: str) -> str:
    """The module function serving a host command (a suite runs through `test`)."""
    return "test" if command in SUITES else python_name(command)


HOST_ONLY = {"rehearse": "runs the workflows' dagger calls locally: a rehearsal of Dagger, not a step"}
HOST_ONLY_RELEASE = {"emulator": "a long-lived local moto server in the foreground, for people and tests"}


def test_every_host_command_that_takes_src_has_a_function_that_takes_src() -> None:
    commands = host_commands_taking_src() - set(HOST_ONLY)
    assert {"lint", "test", "ci", "build"} <= commands
    module = functions()
    missing = {
        function_for(command)
        for command in commands
        if function_for(command) not in module or "src" not in module[function_for(command)].parameters
    }
    assert missing == set()


@pytest.mark.parametrize("name", sorted(functions()))
def test_every_function_takes_the_tree_as_src_from_the_repository_root_through_the_allow_list(
    name: str,
) -> None:
    """`dagger call <fn> --src .`: a function argument (a constructor one would only go before the name)."""
    parameter = functions()[name].parameters["src"]
    assert parameter.resolved_type is dagger.Directory
    assert parameter.default_path == "/"
    assert not parameter.has_default
    assert parameter.ignore == SOURCE_ALLOW_LIST
    for needed in ("!uv.lock", "!ci/", "!src/", "!infra/", "!tests/", "!.github/", "**/node_modules/"):
        assert needed in parameter.ignore


def test_the_module_object_has_no_constructor_arguments() -> None:
    assert registered().get_constructor().parameters == {}


@pytest.mark.parametrize("name", sorted(SIDE_EFFECTS))
def test_functions_with_side_effects_are_never_cached(name: str) -> None:
    assert functions()[name].cache_policy == "never"


def test_pure_functions_keep_the_default_cache_policy() -> None:
    cached = {name for name, function in functions().items() if function.cache_policy is None}
    assert cached == set(functions()) - SIDE_EFFECTS


def test_the_gates_and_only_the_gates_are_checks() -> None:
    assert {name for name, function in functions().items() if function.check} == GATES


def test_no_string_argument_is_named_like_a_credential() -> None:
    secretive = re.compile(r"secret|token|password|access_key")
    for name, function in functions().items():
        for parameter in function.parameters.values():
            if secretive.search(parameter.name):
                assert parameter.resolved_type == dagger.Secret | None, f"{name}.{parameter.name}"


RUNTIME_PROBE = """
import importlib.abc, importlib.metadata, sys, tomllib
from pathlib import Path

lock = tomllib.loads(Path(sys.argv[1]).read_text())
installed = {package["name"] for package in lock["package"]}
owners = importlib.metadata.packages_distributions()

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        dists = {dist.lower().replace("_", "-") for dist in owners.get(top, [])}
        if dists and not dists & installed:
            missing = ", ".join(sorted(dists))
            raise ModuleNotFoundError(f"{name} ({missing}) is not installed in the Dagger module runtime")

sys.meta_path.insert(0, Block())
from dagger.mod.cli import load_module
print(sorted(load_module()._objects))
"""
"""Loads the module with only what `ci/uv.lock` installs importable: the runtime's view (a blocked package is
a ModuleNotFoundError, as an absent one is, so optional imports such as anyio's `sniffio` fall back as there).
The module reads the step catalogue (names, summaries, suites, profiles), so a step module that imports a
dev-only package at import time fails here; import it inside the function that needs it."""


def test_module_loads_with_only_the_packages_the_runtime_installs() -> None:
    argv = [sys.executable, "-c", RUNTIME_PROBE, str(ROOT / "ci/uv.lock")]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "Careervp" in done.stdout


def test_the_runtime_probe_refuses_a_dev_only_package() -> None:
    probe = RUNTIME_PROBE.replace("from dagger.mod.cli import load_module", "import aws_cdk  # noqa")
    probe = probe.replace("print(sorted(load_module()._objects))", "")
    done = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "ci/uv.lock")], capture_output=True, text=True, check=False
    )
    assert "aws_cdk (" in done.stderr and ") is not installed in the Dagger module runtime" in done.stderr


def test_entry_point_and_dagger_json_point_at_the_main_object() -> None:
    config = json.loads((ROOT / "dagger.json").read_text())
    assert config["name"] == "careervp"
    assert config["sdk"] == {"source": "python"}
    assert config["source"] == "ci"
    assert config["engineVersion"] == f"v{CLI_VERSION}"
    project = tomllib.loads((ROOT / "ci/pyproject.toml").read_text())
    assert (
        project["project"]["entry-points"]["dagger.mod"]["main_object"]
        == "careervp_ci.dagger_module.main:Careervp"
    )


def test_module_requires_dagger_io_unpinned_while_the_lock_pins_the_engine_release() -> None:
    """A bare `dagger-io`, as in Dagger's own template: without ci/uv.lock the runtime would install it next
    to its vendored SDK (`uv pip install -e ./sdk -e .`, reporting 0.0.0) that an exact pin would contradict.
    The exact release comes from the locks: uv.lock for the host (here) and ci/uv.lock for the module runtime
    (test_dagger_module_lock.py), both equal to the pinned engine."""
    project = tomllib.loads((ROOT / "ci/pyproject.toml").read_text())
    requirements = [r for r in project["project"]["dependencies"] if r.startswith("dagger-io")]
    assert requirements == ["dagger-io"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    assert [package["version"] for package in lock["package"] if package["name"] == "dagger-io"] == [
        CLI_VERSION
    ]


def test_pins_agree_with_the_rest_of_the_project() -> None:
    python_version = (ROOT / ".python-version").read_text().strip()
    assert dagger_setup.PYTHON_IMAGE.split("@")[0].endswith(f":{python_version}-slim")
    assert re.search(r"@sha256:[0-9a-f]{64}$", dagger_setup.PYTHON_IMAGE)
    assert (ROOT / "ci/.python-version").read_text().strip() == python_version
    makefile = (ROOT / "Makefile").read_text()
    assert f"UV_VERSION := {dagger_setup.UV_VERSION}\n" in makefile


# --- recipes: the lazy query each function builds -------------------------------------------------------


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stand-ins for the three calls that would reach an engine; stdout prints a digest like `build`."""
    recorded_run(monkeypatch, output=FAKE_DIGEST + "\n")
    yield


def module() -> Careervp:
    return Careervp()


def test_setup_starts_from_the_digest_pinned_image_with_caches_and_locked_installs(offline: None) -> None:
    container: dagger.Container = asyncio.run(module().setup(src=tree()))
    steps = calls(container)
    assert steps[1] == ("from", {"address": dagger_setup.PYTHON_IMAGE})
    assert ["pip", "install", "--no-cache-dir", f"uv=={dagger_setup.UV_VERSION}"] in execs(container)
    assert cache_keys(container) == {
        dagger_setup.UV_CACHE: dagger_setup.uv_cache_key(FAKE_DIGEST),
        dagger_setup.NPM_CACHE: "careervp-npm",
    }
    commands = execs(container)
    dependencies = ["env", "SOURCE_DATE_EPOCH=0", *dagger_setup.SYNC_DEPENDENCIES]
    node = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"]
    assert commands.index(dependencies) < commands.index(node)
    # the CDK's packages are unpacked with the dependencies, before any file of the tree (not in every job)
    assert commands.index(list(dagger_setup.UNPACK_CDK)) == commands.index(dependencies) + 1
    assert commands[-1] == ["uv", "sync", "--frozen"]


def test_uv_cache_key_follows_the_lockfile_digest() -> None:
    assert dagger_setup.uv_cache_key(FAKE_DIGEST) != dagger_setup.uv_cache_key("sha256:" + "cd" * 32)


@pytest.mark.parametrize(
    "step", ["format", "lint", "typecheck", "naming", "coverage", "workflows", "audit", "release-local"]
)
def test_step_function_runs_the_host_entry_point_in_the_setup_container(offline: None, step: str) -> None:
    container: dagger.Container = asyncio.run(getattr(module(), python_name(step))(src=tree()))
    assert execs(container)[-1] == ["careervp-ci", step, "--no-cache"]
    assert ("from", {"address": dagger_setup.PYTHON_IMAGE}) in calls(container)


def test_test_function_runs_the_suite_with_its_selection(offline: None) -> None:
    container: dagger.Container = asyncio.run(
        module().test(src=tree(), suite="integration", marker="not slow", seed="7")
    )
    assert execs(container)[-1] == [
        "careervp-ci", "test", "--suite", "integration", "--no-cache", "--marker", "not slow", "--seed", "7",
    ]  # fmt: skip


def test_test_function_refuses_an_unknown_suite_naming_the_valid_ones(offline: None) -> None:
    with pytest.raises(StepFailed, match=r"unknown suite 'smoke'; valid suites: unit, integration"):
        asyncio.run(module().test(src=tree(), suite="smoke"))


def test_synth_returns_the_cloud_assembly_directory(offline: None) -> None:
    assembly: dagger.Directory = asyncio.run(module().synth(src=tree()))
    assert isinstance(assembly, dagger.Directory)
    assert calls(assembly)[-1] == ("directory", {"path": synth.ASSEMBLY})
    assert execs(assembly)[-1] == ["careervp-ci", "synth", "--no-cache"]


def test_change_set_markdown_renders_the_given_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = recorded_run(monkeypatch)
    reviewed = dag.host().file("/nonexistent/change-set.json")
    asyncio.run(module().change_set_markdown(src=tree(), summary=reviewed))
    assert ("withFile", {"path": CHANGE_SET, "source": reviewed}) in calls(seen[-1])
    assert execs(seen[-1])[-1] == ["careervp-ci", "change-set-markdown", "--summary", CHANGE_SET]


def test_ci_runs_one_job_per_planned_step_handing_each_its_needs() -> None:
    jobs = {job.step: job for job in request_jobs(Request("pr")).jobs}
    profile = PROFILES["pr"]
    needed = {need for name in profile.steps for need in CATALOGUE[name].needs}
    assert set(jobs) == set(profile.steps) | needed
    assert jobs["coverage"].given == jobs["coverage"].needs == CATALOGUE["coverage"].needs
    assert jobs["naming"].needs == ("synth",)


@pytest.mark.parametrize("profile", ["pr", "gap-remediation"])
def test_a_job_of_ci_runs_the_jobs_it_waits_for_with_the_profiles_options(
    monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    """`dagger call job --step coverage` runs integration's job first, with the profile's -m/-k, as the host
    does, then coverage alone on what unit and integration left."""
    listed = json.dumps(asdict(request_jobs(Request(profile))))
    seen = recorded_run(monkeypatch, output=listed)
    asyncio.run(module().job(src=tree(), git=tree(), profile=profile, step="coverage"))
    commands = [
        execs(container)[-1] for container in seen if execs(container)[-1][:2] == ["careervp-ci", "ci"]
    ]
    integration = next(argv for argv in commands if argv[argv.index("--only") + 1] == "integration")
    parser, _ = build_parser(with_release=False)
    (run,) = resolve(ci_request(parser.parse_args(integration[1:]))).runs
    assert run.plan.options["integration"] == {
        **dict.fromkeys(option.name for option in CATALOGUE["integration"].options),
        **PROFILES[profile].options.get("integration", {}),
    }
    assert commands[-1][-4:] == ["--given", "unit", "--given", "integration"]


def test_job_refuses_a_step_the_profile_does_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded_run(monkeypatch, output=json.dumps(asdict(request_jobs(Request("pr")))))
    with pytest.raises(StepFailed, match="step 'audit' is no step of profile pr"):
        asyncio.run(module().job(src=tree(), git=tree(), profile="pr", step="audit"))


@pytest.mark.parametrize(
    ("profile", "step", "runs_as"),
    [
        ("main", "lint", "pr"),
        ("nightly", "typecheck", "pr"),
        ("main", "integration", "main"),
        ("nightly", "integration", "main"),
        ("gap-remediation", "integration", "gap-remediation"),
        ("main", "coverage", "pr"),
        ("pr", "integration", "pr"),
    ],
)
def test_a_job_runs_as_the_first_profile_with_the_same_options_so_profiles_share_its_run(
    profile: str, step: str, runs_as: str
) -> None:
    (job,) = [job for job in request_jobs(Request(profile)).jobs if job.step == step]
    assert job.profile == runs_as


def test_ci_marks_the_release_path_final_in_the_main_profile_only() -> None:
    main_jobs = request_jobs(Request("main")).jobs
    assert {job.step for job in main_jobs if job.final} == set(RELEASE_PATH)
    (release,) = [job for job in main_jobs if job.final]
    assert set(release.needs) == {job.step for job in main_jobs if not job.final}
    assert not [job for job in request_jobs(Request("pr")).jobs if job.final]


def _listing(*jobs: Job) -> str:
    return json.dumps(asdict(Jobs("main", jobs)))


def test_ci_starts_the_release_path_only_after_every_gate_passed_on_its_own_src(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[str] = []
    gates_done: list[str] = []
    given = tree()
    received: list[dagger.Directory] = []

    async def job(src: dagger.Directory, job: Job, *_: object, **__: object) -> JobRun:
        received.append(src)
        if job.step == "release-local":
            started.append(f"release-local after {len(gates_done)} gates")
            return JobRun(dag.container())
        started.append("gate")
        await asyncio.sleep(0)
        gates_done.append("gate")
        return JobRun(dag.container())

    listed = _listing(Job("lint"), Job("synth"), Job("release-local", ("lint", "synth"), final=True))
    monkeypatch.setattr(dagger_jobs, "base", lambda src: _fake_base(listed))
    monkeypatch.setattr(dagger_jobs, "run_job", job)
    summary: str = asyncio.run(module().ci(src=given, git=tree(), profile="main"))
    assert started[-1] == "release-local after 2 gates"
    assert len(received) == 3
    assert all(src is given for src in received)
    assert summary.splitlines()[-1] == "verdict: passed"


def test_ci_does_not_start_the_release_path_when_a_gate_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    async def job(src: dagger.Directory, job: Job, *_: object, **__: object) -> JobRun:
        if job.step == "release-local":
            raise AssertionError("release-local started although a gate failed")
        raise StepFailed("lint failed")

    listed = _listing(Job("lint"), Job("release-local", ("lint",), final=True))
    monkeypatch.setattr(dagger_jobs, "base", lambda src: _fake_base(listed))
    monkeypatch.setattr(dagger_jobs, "run_job", job)
    with pytest.raises(StepFailed, match=r"not started\s+release-local"):
        asyncio.run(module().ci(src=tree(), git=tree(), profile="main"))


async def _fake_base(listed: str) -> Any:
    """A stand-in setup container whose `dagger_module.plan` output is `listed`."""

    class Listed:
        def with_exec(self, _argv: list[str]) -> Listed:
            return self

        async def stdout(self) -> str:
            return listed

    return Listed()


def test_ci_plan_refuses_an_unknown_profile_naming_the_valid_ones() -> None:
    from careervp_ci.dagger_module.plan import main as plan_main

    assert plan_main(["weekly"]) == 2


def test_a_toolchain_that_cannot_be_built_fails_naming_the_install_and_its_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from careervp_ci.rehearsal.layers import exec_error

    recorded_run(monkeypatch)

    async def broken(self: dagger.Container) -> dagger.Container:
        raise exec_error(["uv", "sync", "--frozen"], 2, "", "error: no interpreter found")

    monkeypatch.setattr(dagger.Container, "sync", broken)
    with pytest.raises(StepFailed) as failed:
        asyncio.run(module().lint(src=tree()))
    message = str(failed.value)
    assert "the toolchain container could not be built: `uv sync --frozen` exited 2" in message
    assert "error: no interpreter found" in message and "dagger call setup" in message


def test_ci_with_a_phase_plans_the_phase_and_names_the_profile_it_resolved_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed = json.dumps(asdict(request_jobs(Request(phase="12"))))
    recorded_run(monkeypatch)
    asked: list[list[str]] = []

    async def stdout(self: dagger.Container) -> str:
        asked.append(execs(self)[-1])
        return listed

    monkeypatch.setattr(dagger.Container, "stdout", stdout)
    summary: str = asyncio.run(module().ci(src=tree(), git=tree(), phase="12"))
    assert asked == [["python", "-m", "careervp_ci.dagger_module.plan", "pr", "12"]]
    assert summary.splitlines()[0] == "dagger call ci --profile phase-12"


@pytest.mark.parametrize(("step", "browser"), [("pipeline-tests", True), ("lint", False)])
def test_only_a_job_that_drives_chromium_installs_it(
    monkeypatch: pytest.MonkeyPatch, step: str, browser: bool
) -> None:
    """pipeline-tests runs the SPA smoke's browser tests; other jobs keep the lean toolchain image."""
    (job,) = [job for job in request_jobs(Request("pr")).jobs if job.step == step]
    seen = recorded_run(monkeypatch)
    asyncio.run(run_job(tree(), job, {}, seed=None, base_ref=None, git=tree()))
    installs = [argv for argv in execs(seen[-1]) if argv[:2] == ["sh", "-c"] and "chromium" in argv[-1]]
    assert bool(installs) is browser


def test_every_toolchain_variant_shares_the_locked_installs_and_differs_only_after_them() -> None:
    """One `ci` builds the plain, browser and browser-with-git variants in one engine: each repeating
    `uv sync` cost about 2 minutes apiece. The system packages come after the last lockfile install, so
    the variants share it, and git after Chromium, so the two browser variants share that too."""
    plain, browser, both = (
        dagger_setup.recipe(browser=b, git=g) for b, g in ((False, False), (True, False), (True, True))
    )
    git = dagger_setup.recipe(git=True)
    for variant in (browser, git, both):
        assert variant[: len(plain)] == plain
    assert both[: len(browser)] == browser, "the git variant of the browser toolchain reuses its Chromium"
    assert len(both) == len(browser) + 1 == len(git) + 1 == len(plain) + 2


def test_chromium_is_installed_before_the_tree_arrives(monkeypatch: pytest.MonkeyPatch) -> None:
    """So its layer holds no source: an edit reuses the install instead of repeating it."""
    seen = recorded_run(monkeypatch)
    asyncio.run(module().release_local(src=tree()))
    steps = calls(seen[-1])
    browser = dagger_setup.install_system(dagger_setup.BROWSER_PACKAGES)
    install = steps.index(("withExec", {"args": ["sh", "-c", browser]}))
    whole_tree = min(
        i for i, (name, args) in enumerate(steps) if name == "withDirectory" and not args.get("include")
    )
    assert install < whole_tree
