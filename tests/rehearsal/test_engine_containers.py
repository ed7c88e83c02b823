"""The engine against real podman: a layer runs once and is reused after, secrets reach the process but not
its output or the committed image, and run-time variables stay out of the layers."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import pytest
from careervp_ci.dagger_module.setup import PYTHON_IMAGE
from careervp_ci.rehearsal.engine import Engine, SecretValue
from careervp_ci.rehearsal.podman import podman, require_tools
from dagger.client._core import Field

pytestmark = pytest.mark.slow


def run(engine: Engine, script: str, secret: str | None = None) -> tuple[str, str]:
    """(stdout, committed image) of `script` in the stand-in image, with $TOKEN set to `secret`."""
    calls = [Field("Query", "container", {}), Field("Container", "from", {"address": PYTHON_IMAGE})]
    if secret is not None:
        calls.append(
            Field("Container", "withSecretVariable", {"name": "TOKEN", "secret": SecretValue(secret)})
        )
    calls.append(Field("Container", "withExec", {"args": ["sh", "-c", script]}))
    state = asyncio.run(engine.resolve(calls))
    return state.stdout, state.image


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    require_tools()
    return Engine(tmp_path / "cache", runtime_env={"RUNTIME_ONLY": "from-this-run"}, log=lambda _: None)


def test_an_identical_prefix_runs_once_and_is_reused(engine: Engine, tmp_path: Path) -> None:
    script = f"echo {tmp_path.name} $(od -An -N4 -tu4 /dev/urandom)"
    first, _ = run(engine, script)
    again, _ = run(Engine(engine.cache, log=lambda _: None), script)
    assert first == again, "a reused layer replays the output of the run that made it"


def test_two_rehearsals_asking_for_one_layer_at_once_run_it_once(engine: Engine, tmp_path: Path) -> None:
    """Two worlds (or test workers) share the layer store: the second waits for the first and reuses it."""
    script = f"sleep 1; echo {tmp_path.name} $(od -An -N4 -tu4 /dev/urandom)"
    other = Engine(engine.cache, log=lambda _: None)
    calls = [
        Field("Query", "container", {}),
        Field("Container", "from", {"address": PYTHON_IMAGE}),
        Field("Container", "withExec", {"args": ["sh", "-c", script]}),
    ]

    async def both() -> list[str]:
        states = await asyncio.gather(engine.resolve(calls), other.resolve(calls))
        return [state.stdout for state in states]

    first, second = asyncio.run(both())
    assert first == second, "the second rehearsal replays the first one's run instead of running it again"
    assert engine.containers[-1:] == other.containers[-1:]


def test_a_secret_reaches_the_process_but_not_its_output_or_the_image(engine: Engine) -> None:
    digest = hashlib.sha256(b"s3cr3t-value").hexdigest()
    script = f'test "$(printf %s "$TOKEN" | sha256sum | cut -d" " -f1)" = {digest} && echo "token=$TOKEN"'
    out, image = run(engine, script, secret="s3cr3t-value")
    assert out.strip() == "token=***"
    config = json.loads(podman("image", "inspect", image))[0]["Config"]
    assert "s3cr3t-value" not in json.dumps(config)


def test_run_time_variables_reach_the_process_but_not_the_layer(engine: Engine, tmp_path: Path) -> None:
    out, image = run(engine, f'echo "{tmp_path.name} $RUNTIME_ONLY"')
    assert out.strip().endswith("from-this-run")
    env = json.loads(podman("image", "inspect", image))[0]["Config"]["Env"]
    assert not [item for item in env if item.startswith("RUNTIME_ONLY=")]


def test_an_empty_secret_reaches_the_process_set_and_empty(engine: Engine, tmp_path: Path) -> None:
    """A repository secret nobody configured reads as "": the function still gets the variable."""
    out, _ = run(engine, f'echo "{tmp_path.name} ${{TOKEN+set}}:${{#TOKEN}}"', secret="")
    assert out.strip() == f"{tmp_path.name} set:0"
