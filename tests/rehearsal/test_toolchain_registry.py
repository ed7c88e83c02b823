"""The toolchain built once per lock, against real podman and a real registry server on loopback (Debian's
`docker-registry`): a trusted run publishes what it built under the digest of its recipe and lockfiles, a run
on an empty layer store pulls that same image, a changed lock is a new tag, an image under the right tag but
with another label is refused and rebuilt, and a run without trust never publishes.

The mechanism is tested with a tiny recipe (one copied lockfile, one exec): the project's toolchain takes
minutes to build and is the same code path."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import dagger
import pytest
from careervp_ci.dagger_module.setup import PYTHON_IMAGE, RECIPE_LABEL, Step, build, caches, recipe_digest
from careervp_ci.dagger_module.toolchain_registry import (
    IMAGE_NAME,
    Registry,
    ToolchainRegistryError,
    publish,
    toolchain_image,
)
from careervp_ci.rehearsal.podman import require_tools
from careervp_ci.rehearsal.registry import running_registry
from careervp_ci.rehearsal.resolver import Engine, rehearsing
from careervp_ci.rehearsal.tree import file_digest
from careervp_ci.rehearsal.values import ContainerState, RehearsalGap
from dagger import dag

slow = pytest.mark.slow
LOCK_DIGEST = "sha256:" + "0" * 64
"""The uv cache volume's key: the tiny recipe mounts no cache, so any digest does."""


def tiny_recipe(marker: str) -> tuple[Step, ...]:
    """A toolchain in miniature: the pinned image, a variable, a lockfile copied in, one install step."""
    return (
        ("from", PYTHON_IMAGE),
        ("env", "TINY_TOOLCHAIN", marker),
        ("workdir", "/src"),
        ("files", "/src", "tiny.lock"),
        ("exec", "sh", "-c", "cp tiny.lock /installed.txt"),
    )


@pytest.fixture(scope="module")
def registry_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the module (the base image's layers are uploaded once); each test has its own
    repository in it (`registry_host`)."""
    require_tools()
    with running_registry(tmp_path_factory.mktemp("registry")) as host:
        yield host


@pytest.fixture
def registry_host(registry_server: str, tmp_path: Path) -> str:
    """`HOST:PORT/<this test>`: the test's own repository, as `ghcr.io/<owner>` is a repository's."""
    return f"{registry_server}/{tmp_path.name.lower()}"


def tags(host: str) -> list[str]:
    """The tags the registry holds for the toolchain (its HTTP API, not podman's view)."""
    server, owner = host.split("/", 1)
    url = f"http://{server}/v2/{owner}/owner/repo/{IMAGE_NAME}/tags/list"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return sorted(json.load(response)["tags"] or [])
    except urllib.error.HTTPError as error:
        assert error.code == 404, f"the registry answered {error.code} for {url}"
        return []


def tree(tmp_path: Path, name: str, lock: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "tiny.lock").write_text(lock)
    return folder


def obtain(
    cache: Path, steps: tuple[Step, ...], src: Path, host: str, *, trusted: bool
) -> tuple[Engine, dict[str, str | None]]:
    """One call on a layer store of its own (`cache`): the toolchain from the registry or built, and what it
    holds (its label, the installed file, the recipe's variable)."""
    engine = Engine(cache, log=lambda _: None)

    async def call() -> dict[str, str | None]:
        token = dag.set_secret("registry-token", "not-a-real-token")
        registry = Registry(f"{host}/owner/repo", username="rehearsal", token=token, trusted=trusted)
        image = await toolchain_image(steps, dag.host().directory(str(src)), LOCK_DIGEST, registry)
        return {
            "label": await image.label(RECIPE_LABEL),
            "installed": await image.file("/installed.txt").contents(),
            "variable": await image.env_variable("TINY_TOOLCHAIN"),
        }

    with rehearsing(engine):
        return engine, asyncio.run(call())


def digest_of(steps: tuple[Step, ...], src: Path) -> str:
    return recipe_digest(steps, {"tiny.lock": "sha256:" + file_digest(src / "tiny.lock")})


@slow
def test_published_toolchain_is_pulled_the_same_on_an_empty_layer_store(
    tmp_path: Path, registry_host: str
) -> None:
    steps, src = tiny_recipe(tmp_path.name), tree(tmp_path, "tree", "lock v1\n")
    digest = digest_of(steps, src)

    builder, built = obtain(tmp_path / "store-1", steps, src, registry_host, trusted=True)
    assert builder.toolchain == "built"
    assert tags(registry_host) == [digest], "a trusted run publishes under the recipe's digest"

    puller, pulled = obtain(tmp_path / "store-2", steps, src, registry_host, trusted=True)
    assert puller.toolchain == "pulled"
    assert pulled == built == {"label": digest, "installed": "lock v1\n", "variable": tmp_path.name}
    assert puller.containers == [], "no step of the recipe ran"

    again, _ = obtain(tmp_path / "store-3", steps, src, registry_host, trusted=True)
    assert again.toolchain == "cached", "podman already held that very image"


@slow
def test_a_changed_lockfile_is_a_new_tag_and_the_old_image_is_not_taken(
    tmp_path: Path, registry_host: str
) -> None:
    steps = tiny_recipe(tmp_path.name)
    old, new = tree(tmp_path, "old", "lock v1\n"), tree(tmp_path, "new", "lock v2\n")
    obtain(tmp_path / "store", steps, old, registry_host, trusted=True)

    assert digest_of(steps, new) != digest_of(steps, old)

    engine, held = obtain(tmp_path / "store", steps, new, registry_host, trusted=False)
    assert engine.toolchain == "built", "the old lock's image is not the new lock's toolchain"
    assert held["installed"] == "lock v2\n"
    assert tags(registry_host) == [digest_of(steps, old)]


@slow
def test_an_image_whose_label_does_not_match_its_tag_is_refused_and_rebuilt(
    tmp_path: Path, registry_host: str
) -> None:
    steps, src = tiny_recipe(tmp_path.name), tree(tmp_path, "tree", "lock v1\n")
    digest = digest_of(steps, src)
    address = f"{registry_host}/owner/repo/{IMAGE_NAME}:{digest}"

    async def plant() -> None:
        folder = dag.host().directory(str(src))
        impostor = build(steps, folder, caches(LOCK_DIGEST)).with_label(RECIPE_LABEL, "f" * 64)
        await impostor.with_exec(["sh", "-c", "echo planted > /installed.txt"]).publish(address)

    with rehearsing(Engine(tmp_path / "planter", log=lambda _: None)):
        asyncio.run(plant())

    engine, held = obtain(tmp_path / "store-1", steps, src, registry_host, trusted=True)
    assert engine.toolchain == "built"
    assert held == {"label": digest, "installed": "lock v1\n", "variable": tmp_path.name}

    healed, pulled = obtain(tmp_path / "store-2", steps, src, registry_host, trusted=True)
    assert healed.toolchain == "pulled", "the trusted rebuild replaced the planted image"
    assert pulled == held


@slow
def test_a_run_without_trust_builds_and_never_publishes(tmp_path: Path, registry_host: str) -> None:
    steps, src = tiny_recipe(tmp_path.name), tree(tmp_path, "tree", "lock v1\n")
    engine, held = obtain(tmp_path / "store", steps, src, registry_host, trusted=False)
    assert engine.toolchain == "built" and held["installed"] == "lock v1\n"
    assert tags(registry_host) == []

    async def publish_untrusted() -> None:
        registry = Registry(f"{registry_host}/owner/repo", "rehearsal", dag.set_secret("t", "not-real"))
        image = build(steps, dag.host().directory(str(src)), caches(LOCK_DIGEST))
        await publish(image.with_label(RECIPE_LABEL, digest_of(steps, src)), registry, digest_of(steps, src))

    refused = pytest.raises(ToolchainRegistryError, match=r"refusing to publish .* not trusted")
    with rehearsing(Engine(tmp_path / "store", log=lambda _: None)), refused:
        asyncio.run(publish_untrusted())
    assert tags(registry_host) == []


def test_the_registry_server_answers_while_running_and_is_gone_after(tmp_path: Path) -> None:
    with (
        running_registry(tmp_path / "registry") as host,
        urllib.request.urlopen(f"http://{host}/v2/_catalog", timeout=5) as response,
    ):
        assert json.load(response) == {"repositories": []}
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://{host}/v2/", timeout=2)
    assert (tmp_path / "registry" / "config.yml").read_text().count("127.0.0.1:") == 1


def test_the_recipe_digest_moves_with_the_lock_and_the_recipe_and_nothing_else() -> None:
    steps = tiny_recipe("a")
    lock = {"tiny.lock": "sha256:" + "1" * 64}
    assert recipe_digest(steps, lock) == recipe_digest(tuple(steps), dict(lock))
    assert recipe_digest(steps, lock) != recipe_digest(steps, {"tiny.lock": "sha256:" + "2" * 64})
    assert recipe_digest(steps, lock) != recipe_digest(tiny_recipe("b"), lock)
    with pytest.raises(ValueError, match=r"needs the digest of tiny\.lock"):
        recipe_digest(steps, {})


def test_a_registry_address_is_checked_before_anything_is_pulled() -> None:
    with pytest.raises(ToolchainRegistryError, match=r"lower case.*GITHUB_REPOSITORY"):
        Registry("ghcr.io/Owner/Repo")
    with pytest.raises(ToolchainRegistryError, match=r"not a registry address"):
        Registry("https://ghcr.io/owner/repo")
    with pytest.raises(ToolchainRegistryError, match=r"token was given without a username"):
        Registry("ghcr.io/owner/repo", token=dagger.Secret.__new__(dagger.Secret))
    assert Registry("ghcr.io/owner/repo").image("ab" * 32) == f"ghcr.io/owner/repo/{IMAGE_NAME}:{'ab' * 32}"


@pytest.mark.parametrize("call", ["_Container_from", "_Container_publish"])
def test_the_rehearsal_reaches_no_registry_but_its_own_on_loopback(tmp_path: Path, call: str) -> None:
    handler = getattr(Engine(tmp_path / "cache"), call)
    with pytest.raises(RehearsalGap, match=r"only its registry on loopback"):
        asyncio.run(handler(ContainerState(key="k", image="img"), address="ghcr.io/owner/repo/x:tag"))
