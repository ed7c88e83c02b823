"""The layer store against real podman: a layer runs once and is reused after (in this process and by a
rehearsal beside it), secrets reach the process but not its output or the committed image, and run-time
variables stay out of the layers. Without podman: a layer or export of a container with no image is a gap."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from careervp_ci.rehearsal.image import ensure_base_image
from careervp_ci.rehearsal.layers import LayerStore, remove_volumes
from careervp_ci.rehearsal.podman import podman, require_tools
from careervp_ci.rehearsal.values import ContainerState, RehearsalGap, SecretValue, chain

slow = pytest.mark.slow


def script_state(script: str, secret: str | None = None) -> tuple[ContainerState, list[str], str]:
    """A container of the stand-in image about to run `script` with $TOKEN set to `secret`, and its key."""
    secrets = () if secret is None else (("TOKEN", SecretValue(secret)),)
    image = ensure_base_image(lambda _: None)
    state = ContainerState(key=chain("", image, [s.digest for _, s in secrets]), image=image, secrets=secrets)
    args = ["sh", "-c", script]
    return state, args, chain(state.key, "exec", args)


def run(store: LayerStore, script: str, secret: str | None = None) -> tuple[str, str]:
    """(stdout, committed image) of `script` run through `store`."""
    state = asyncio.run(store.layer(*script_state(script, secret)))
    return state.stdout, state.image


@pytest.fixture
def store(tmp_path: Path) -> LayerStore:
    require_tools()
    return LayerStore(tmp_path / "cache", runtime_env={"RUNTIME_ONLY": "from-this-run"}, log=lambda _: None)


@slow
def test_an_identical_prefix_runs_once_and_is_reused(store: LayerStore, tmp_path: Path) -> None:
    script = f"echo {tmp_path.name} $(od -An -N4 -tu4 /dev/urandom)"
    first, _ = run(store, script)
    again, _ = run(LayerStore(store.cache, log=lambda _: None), script)
    assert first == again, "a reused layer replays the output of the run that made it"


@slow
def test_one_layer_asked_for_twice_at_once_runs_once_in_a_process_and_across_two(
    store: LayerStore, tmp_path: Path
) -> None:
    """Two worlds (or test workers) share the layer store: the second waits for the first and reuses it."""
    layer = script_state(f"sleep 1; echo {tmp_path.name} $(od -An -N4 -tu4 /dev/urandom)")
    other = LayerStore(store.cache, log=lambda _: None)

    async def at_once() -> list[ContainerState]:
        return list(await asyncio.gather(store.layer(*layer), store.layer(*layer), other.layer(*layer)))

    states = asyncio.run(at_once())
    assert len({state.stdout for state in states}) == 1, "each asked replays the one run"
    assert len(store.containers) == 1, "the second ask in this process waited for the first"
    assert store.containers == other.containers


@slow
def test_a_layer_committed_beside_a_store_after_its_listing_is_reused_and_a_removed_one_runs_again(
    store: LayerStore,
) -> None:
    """A store lists the layers podman holds once, at its first lookup; a layer another process committed
    after that listing is still found, and one whose image is gone runs again."""
    unique = uuid.uuid4().hex  # no image of an earlier session may answer for these layers
    run(store, f"echo warm {unique}")
    listing = LayerStore(store.cache, log=lambda _: None)
    run(listing, f"echo warm {unique}")  # a recorded layer: this lookup lists the repository
    script = f"echo {unique} $(od -An -N4 -tu4 /dev/urandom)"
    first, image = run(LayerStore(store.cache, log=lambda _: None), script)
    assert run(listing, script) == (first, image)
    podman("rmi", "--force", image)
    again, remade = run(LayerStore(store.cache, log=lambda _: None), script)
    assert again != first, "a layer whose image is gone runs again"
    assert podman("image", "exists", remade) == ""


@slow
def test_a_secret_reaches_the_process_but_not_its_output_or_the_image(store: LayerStore) -> None:
    digest = hashlib.sha256(b"s3cr3t-value").hexdigest()
    script = f'test "$(printf %s "$TOKEN" | sha256sum | cut -d" " -f1)" = {digest} && echo "token=$TOKEN"'
    out, image = run(store, script, secret="s3cr3t-value")
    assert out.strip() == "token=***"
    config = json.loads(podman("image", "inspect", image))[0]["Config"]
    assert "s3cr3t-value" not in json.dumps(config)


@slow
def test_run_time_variables_reach_the_process_but_not_the_layer(store: LayerStore, tmp_path: Path) -> None:
    out, image = run(store, f'echo "{tmp_path.name} $RUNTIME_ONLY"')
    assert out.strip().endswith("from-this-run")
    env = json.loads(podman("image", "inspect", image))[0]["Config"]["Env"]
    assert not [item for item in env if item.startswith("RUNTIME_ONLY=")]


@slow
def test_an_empty_secret_reaches_the_process_set_and_empty(store: LayerStore, tmp_path: Path) -> None:
    """A repository secret nobody configured reads as "": the function still gets the variable."""
    out, _ = run(store, f'echo "{tmp_path.name} ${{TOKEN+set}}:${{#TOKEN}}"', secret="")
    assert out.strip() == f"{tmp_path.name} set:0"


@slow
def test_a_cache_volume_lives_and_dies_with_its_engine(tmp_path: Path) -> None:
    """As on Dagger: calls on one engine share its cache volumes, a new runner's engine starts them empty, and
    they go with the engine."""
    require_tools()
    laptop, new_runner = (
        LayerStore(tmp_path / name, log=lambda _: None) for name in ("laptop", "new-runner")
    )

    def in_volume(store: LayerStore, script: str) -> str:
        state, args, key = script_state(f"{script} # {uuid.uuid4().hex}")
        mounted = replace(state, mounts=(("/results", store.volume("results")),))
        return asyncio.run(store.layer(mounted, args, key)).stdout.strip()

    read = "cat /results/entry 2>/dev/null || echo empty"
    try:
        in_volume(laptop, "echo kept > /results/entry")
        assert in_volume(laptop, read) == "kept"
        assert in_volume(new_runner, read) == "empty"
        remove_volumes(laptop.cache)
        assert in_volume(laptop, read) == "empty"
    finally:
        remove_volumes(laptop.cache)
        remove_volumes(new_runner.cache)


def test_a_command_on_a_container_with_no_image_is_a_gap_naming_it(tmp_path: Path) -> None:
    store = LayerStore(tmp_path / "cache", log=lambda _: None)
    with pytest.raises(RehearsalGap, match=r"withExec\(\['true'\]\) on a container with no image"):
        asyncio.run(store.layer(ContainerState(key="root"), ["true"], "key"))
    assert store.containers == []


def test_an_export_of_a_container_with_no_image_is_a_gap_naming_the_path(tmp_path: Path) -> None:
    store = LayerStore(tmp_path / "cache", log=lambda _: None)
    with pytest.raises(
        RehearsalGap, match=r"Container\.directory/file\('out'\) on a container with no image"
    ):
        asyncio.run(store.materialize(ContainerState(key="root"), "out", directory=True))
