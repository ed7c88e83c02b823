"""How the Dagger module runs a command: in the toolchain container, with failures made readable, and with
side effects never replayed from the engine's cache."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Final, TypeVar, cast

import dagger
from dagger import function

from careervp_ci.dagger_module.failures import StepFailed, describe_failure, describe_toolchain_failure
from careervp_ci.dagger_module.setup import WORKDIR, recipe
from careervp_ci.dagger_module.toolchain_registry import TOOLCHAIN_REGISTRY, toolchain_via

ARTIFACTS: Final = "/artifacts"

F = TypeVar("F", bound=Callable[..., object])
side_effect = cast(Callable[[F], F], function(cache="never"))  # type: ignore[call-overload]
"""`@function(cache="never")`: dagger-io 0.21.11 accepts `cache` but leaves it out of the typed overloads."""


async def base(src: dagger.Directory, *, browser: bool = False, git: bool = False) -> dagger.Container:
    """The toolchain container with the tree (and Chromium, for a call that drives it; git, for tests that
    build repositories); a failed install names itself instead of a step. The toolchain comes from the
    call's registry when one was named (`toolchain_registry`), else it is built here."""
    lock_digest = await src.file("uv.lock").digest()
    steps = recipe(browser=browser, git=git)
    try:
        return await (await toolchain_via(steps, src, lock_digest, TOOLCHAIN_REGISTRY.get())).sync()
    except dagger.ExecError as error:
        raise StepFailed(describe_toolchain_failure(error)) from error


async def run(argv: list[str], container: dagger.Container) -> dagger.Container:
    """Run `argv` in `container` and wait, turning a failure into a readable error."""
    try:
        return await container.with_exec(argv).sync()
    except dagger.ExecError as error:
        raise StepFailed(describe_failure(argv, error)) from error


def fresh(container: dagger.Container) -> dagger.Container:
    """A new call id in the environment: the engine cannot replay an earlier run of a command that changes
    the world (`cache="never"` only covers the function call, not the steps inside it)."""
    return container.with_env_variable("CAREERVP_CALL_ID", uuid.uuid4().hex)


async def run_once(argv: list[str], container: dagger.Container) -> str:
    """Run a release command that changes the world, always afresh; returns its output."""
    return await (await run(argv, fresh(container))).stdout()


def build_argv(commit: str) -> list[str]:
    """`careervp-ci build` of the uploaded tree as it is, recording the commit the caller names."""
    return ["careervp-ci", "build", "--src", WORKDIR, "--commit", commit, "--out", ARTIFACTS]


async def built(src: dagger.Directory, commit: str) -> dagger.Container:
    """The build of the tree given as `commit`: its inputs are the tree's content and the commit, nothing of
    the checkout's history, so one commit is one cache key and one digest at any checkout. The same recipe
    in `build` and `publish`, so the engine builds once and both reuse it."""
    return await run(build_argv(commit), await base(src))
