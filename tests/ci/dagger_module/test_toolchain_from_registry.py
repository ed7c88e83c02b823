"""Every container a call starts takes its toolchain from the call's registry (`TOOLCHAIN_REGISTRY`), read
without an engine: the lazy query `containers.base` builds, with the engine's answers stood in for. The
mechanism against a real registry server is tests/rehearsal/test_toolchain_registry.py."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Iterator
from typing import Any

import dagger
import pytest
from careervp_ci.dagger_module import setup as dagger_setup
from careervp_ci.dagger_module.containers import base
from careervp_ci.dagger_module.toolchain_registry import (
    IMAGE_NAME,
    TOOLCHAIN_REGISTRY,
    Registry,
    ToolchainRegistryError,
    registry_from,
)
from dagger import QueryError, dag
from dagger._exceptions import QueryErrorValue
from support.dagger_recipes import FAKE_DIGEST, calls, execs, recorded_run, tree

ADDRESS = "ghcr.io/owner/repo"


def digest(*, browser: bool = False, git: bool = False) -> str:
    steps = dagger_setup.recipe(browser=browser, git=git)
    return dagger_setup.recipe_digest(steps, dict.fromkeys(dagger_setup.copied_files(steps), FAKE_DIGEST))


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dagger.Container]]:
    """The engine stood in for: file digests, sync and stdout (`recorded_run`), and every publish recorded."""
    recorded_run(monkeypatch)
    pushed: list[tuple[str, dagger.Container]] = []

    async def publish(self: dagger.Container, address: str, **_: Any) -> str:
        pushed.append((address, self))
        return f"{address}@{FAKE_DIGEST}"

    monkeypatch.setattr(dagger.Container, "publish", publish)
    return pushed


def registry_holds(monkeypatch: pytest.MonkeyPatch, label: str | None) -> None:
    """The registry's answer to the pulled image's label: `label`, or no image at all (None)."""

    async def answer(self: dagger.Container, name: str) -> str | None:
        assert name == dagger_setup.RECIPE_LABEL
        if not any(address.startswith(f"{ADDRESS}/{IMAGE_NAME}:") for address in froms(self)):
            return {args["name"]: args["value"] for call, args in calls(self) if call == "withLabel"}.get(
                name
            )
        if label is None:
            error = QueryErrorValue(message="failed to resolve source metadata: not found", extensions={})
            raise QueryError([error], types.SimpleNamespace(document=None))  # type: ignore[arg-type]
        return label

    monkeypatch.setattr(dagger.Container, "label", answer)


@pytest.fixture
def registry(request: pytest.FixtureRequest) -> Iterator[None]:
    token = TOOLCHAIN_REGISTRY.set(
        Registry(ADDRESS, "actor", dag.set_secret("token", "not-a-real-token"), trusted=request.param)
    )
    yield
    TOOLCHAIN_REGISTRY.reset(token)


def froms(container: dagger.Container) -> list[str]:
    return [args["address"] for name, args in calls(container) if name == "from"]


def test_without_a_registry_the_toolchain_is_built_and_labelled_with_its_digest(published: list[Any]) -> None:
    container = asyncio.run(base(tree()))
    assert froms(container) == [dagger_setup.PYTHON_IMAGE]
    assert ("withLabel", {"name": dagger_setup.RECIPE_LABEL, "value": digest()}) in calls(container)
    assert published == []


@pytest.mark.parametrize("registry", [False], indirect=True)
def test_a_toolchain_the_registry_holds_is_pulled_and_only_the_tree_added(
    registry: None, published: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry_holds(monkeypatch, digest())
    container = asyncio.run(base(tree()))
    assert froms(container) == [f"{ADDRESS}/{IMAGE_NAME}:{digest()}"]
    assert execs(container) == [["uv", "sync", "--frozen"]], "no step of the recipe runs"
    assert published == []


@pytest.mark.parametrize("registry", [True], indirect=True)
def test_an_image_with_another_label_is_refused_built_and_published_by_a_trusted_run(
    registry: None,
    published: list[tuple[str, dagger.Container]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry_holds(monkeypatch, "f" * 64)
    container = asyncio.run(base(tree(), browser=True))
    assert f"refused: its label {dagger_setup.RECIPE_LABEL} is '{'f' * 64}'" in capsys.readouterr().err
    assert froms(container) == [dagger_setup.PYTHON_IMAGE]
    assert [address for address, _ in published] == [f"{ADDRESS}/{IMAGE_NAME}:{digest(browser=True)}"]
    (_, image), auth = published[0], ("withRegistryAuth", {"address": ADDRESS, "username": "actor"})
    assert any(name == auth[0] and args.items() >= auth[1].items() for name, args in calls(image))


@pytest.mark.parametrize("registry", [False], indirect=True)
def test_a_run_without_trust_builds_what_is_missing_and_publishes_nothing(
    registry: None, published: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry_holds(monkeypatch, None)
    container = asyncio.run(base(tree()))
    assert froms(container) == [dagger_setup.PYTHON_IMAGE]
    assert published == []


def test_each_variant_of_the_recipe_has_its_own_tag() -> None:
    variants = {digest(), digest(browser=True), digest(git=True), digest(browser=True, git=True)}
    assert len(variants) == 4


def test_a_calls_arguments_name_a_registry_or_none_and_a_publish_needs_one() -> None:
    assert registry_from("") is None
    assert registry_from(ADDRESS, publish=True) == Registry(ADDRESS, trusted=True)
    with pytest.raises(ToolchainRegistryError, match=r"needs a registry to publish to"):
        registry_from("", publish=True)


@pytest.mark.parametrize("registry", [True], indirect=True)
def test_the_containers_of_one_call_look_up_and_publish_once_per_variant(
    registry: None, published: list[tuple[str, dagger.Container]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ci` starts its jobs at once; `publish` is never cached, so each would push the same image again."""
    registry_holds(monkeypatch, None)

    async def jobs() -> list[dagger.Container]:
        return list(await asyncio.gather(base(tree()), base(tree()), base(tree(), browser=True)))

    asyncio.run(jobs())
    assert sorted(address for address, _ in published) == sorted(
        f"{ADDRESS}/{IMAGE_NAME}:{variant}" for variant in (digest(), digest(browser=True))
    )
