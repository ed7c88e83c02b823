"""The module as the Dagger Python SDK runtime installs and calls it: from `ci/` and its lock alone, with no
dev dependencies, and every object handed between chained calls through the SDK's own JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import anyio
import pytest
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.dagger_module.release import Release
from careervp_ci.rehearsal.invoke import invoke
from careervp_ci.rehearsal.podman import require_tools
from careervp_ci.rehearsal.resolver import Engine, rehearsing
from careervp_ci.rehearsal.runtime import ModuleInstallFailed, installed_in_container, module_python
from careervp_ci.rehearsal.values import RehearsalGap, SecretValue
from dagger import dag

ROOT = Path(__file__).resolve().parents[2]
PLAINTEXT = "AKIA-rehearsal-not-real"


def test_a_release_handed_to_the_next_call_carries_its_secrets_as_ids_and_loads_them_back(
    tmp_path: Path,
) -> None:
    """`release --aws-access-key-id env:X deploy`: the engine keeps the Release as the SDK serialized it."""
    engine = Engine(tmp_path / "cache", log=lambda _: None)

    async def round_trip() -> tuple[dict[str, object], SecretValue]:
        with rehearsing(engine):
            key = dag.set_secret("key", PLAINTEXT)
            inputs = {"src": dag.directory(), "store": "s3://b/p", "aws_access_key_id": key}
            state = await invoke(Careervp, {}, "release", inputs)
            release = await Careervp.__dagger_module__.structure(state, Release)  # type: ignore[attr-defined]
            return state, await engine.resolve(release.access_key_id._ctx.selections)

    state, secret = anyio.run(round_trip)
    assert state["store"] == "s3://b/p"
    assert str(state["access_key_id"]).startswith("rehearsal:Secret:")
    assert PLAINTEXT not in json.dumps(state), "a secret crosses the engine as an ID, never its value"
    assert secret == SecretValue(PLAINTEXT)


def test_an_id_this_engine_never_gave_or_of_another_type_is_refused(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "cache", log=lambda _: None)

    async def load(kind: type, identity: str) -> object:
        with rehearsing(engine):
            return await engine.resolve(dag._ctx.select_id(kind.__name__, identity).selections)

    async def given() -> str:
        with rehearsing(engine):
            return str(await dag.set_secret("s", "v").id())

    secret_id = anyio.run(given)
    with pytest.raises(RehearsalGap, match="no object has this ID"):
        anyio.run(load, Release, "rehearsal:Secret:unknown")
    with pytest.raises(RehearsalGap, match="is a Secret, not a Directory"):
        anyio.run(load, type("Directory", (), {}), secret_id)


def test_the_module_venv_holds_its_lock_without_the_workspace_dev_group(tmp_path: Path) -> None:
    python = module_python(ROOT, tmp_path / "cache")
    script = "import dagger, anyio\nimport pydantic\n"
    done = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "No module named 'pydantic'" in done.stderr, (
        "pydantic is a host extra, not a module dependency: the runtime would not have it"
    )
    module = subprocess.run(
        [str(python), "-c", "import careervp_ci.dagger_module.main"],
        env={"PYTHONPATH": str(ROOT / "ci" / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.returncode == 0, module.stderr


def test_a_module_lock_that_does_not_match_its_project_is_refused_naming_it(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "ci", repo / "ci", ignore=shutil.ignore_patterns("src"))
    project = repo / "ci" / "pyproject.toml"
    project.write_text(project.read_text().replace('"anyio>=4.4",', '"anyio>=4.4",\n    "rich>=13.9",'))
    with pytest.raises(ModuleInstallFailed, match=r"uv\.lock"):
        module_python(repo, tmp_path / "cache")


@pytest.mark.slow
def test_the_module_installs_and_registers_from_its_own_lock_in_the_runtime_container(tmp_path: Path) -> None:
    require_tools()
    engine = Engine(tmp_path / "cache", log=lambda _: None)

    async def register() -> str:
        with rehearsing(engine):
            return str(await installed_in_container(ROOT).stdout())

    functions = anyio.run(register).split()
    assert {"ci", "build", "release", "setup"} <= set(functions), functions
