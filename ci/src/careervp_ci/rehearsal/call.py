"""`dagger call ...` as the Dagger CLI reads it, executed by the rehearsal engine.

Functions and flags are the module's, in kebab-case (`change-set-markdown`, `--aws-access-key-id`); a
Directory or File flag is a host path, a Secret flag is `env:NAME` or `file:PATH`; a Directory argument left
out is loaded from its DefaultPath in the repository that holds dagger.json, filtered by its Ignore patterns
(so is one given on the command line). Words after the function's flags chain calls on its result (`directory
--path P export --path Q`, `stdout`). Unknown functions and flags are refused the way the CLI refuses them.
"""

from __future__ import annotations

import inspect
import os
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagger
from dagger import dag

from careervp_ci.main import Careervp


class CallError(Exception):
    """The command line is not one the Dagger CLI would accept (exit 1, like the CLI)."""


@dataclass(frozen=True)
class ChainedCall:
    name: str
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    function: str
    args: dict[str, str]
    chain: tuple[ChainedCall, ...]


def kebab(name: str) -> str:
    return name.replace("_", "-")


def functions() -> dict[str, Any]:
    """The module's functions by CLI name, from the SDK's own registry (what `dagger functions` lists)."""
    registered = Careervp.__dagger_module__._objects["Careervp"].functions  # type: ignore[attr-defined]
    return {kebab(name): function for name, function in registered.items() if name}


def _flags(words: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """`--name value` / `--name=value` pairs up to the first bare word; returns them and the rest."""
    flags: dict[str, str] = {}
    index = 0
    while index < len(words) and words[index].startswith("--"):
        name, has_value, value = words[index][2:].partition("=")
        if not has_value:
            if index + 1 >= len(words):
                raise CallError(f"flag needs an argument: --{name}")
            index += 1
            value = words[index]
        flags[name] = value
        index += 1
    return flags, list(words[index:])


def parse(words: Sequence[str]) -> Call:
    """Parse the words after `dagger call`."""
    if not words or words[0].startswith("-"):
        raise CallError("dagger call: name a function (dagger functions lists them)")
    known = functions()
    name, rest = words[0], list(words[1:])
    if name not in known:
        raise CallError(f'unknown command "{name}" for "dagger call"; functions: {", ".join(sorted(known))}')
    args, rest = _flags(rest)
    parameters = {kebab(parameter.name): parameter for parameter in known[name].parameters.values()}
    for flag in args:
        if flag not in parameters:
            raise CallError(f"unknown flag: --{flag} (function {name} takes {', '.join(sorted(parameters))})")
    missing = [
        flag
        for flag, parameter in parameters.items()
        if flag not in args and not parameter.is_optional and parameter.default_path is None
    ]
    if missing:
        raise CallError(f"required flag(s) {', '.join(repr(m) for m in missing)} not set")
    chain: list[ChainedCall] = []
    while rest:
        step, rest = rest[0], rest[1:]
        step_args, rest = _flags(rest)
        chain.append(ChainedCall(step, step_args))
    return Call(name, args, tuple(chain))


def _base_type(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return members[0]
    return annotation


def _secret(flag: str, reference: str) -> dagger.Secret:
    scheme, _, rest = reference.partition(":")
    if scheme == "env":
        if rest not in os.environ:
            raise CallError(f'--{flag}: secret env var not found: "{rest}"')
        return dag.set_secret(rest, os.environ[rest])
    if scheme == "file":
        path = Path(rest)
        if not path.is_file():
            raise CallError(f"--{flag}: secret file not found: {rest!r}")
        return dag.set_secret(path.name, path.read_text(encoding="utf-8").rstrip("\n"))
    raise CallError(f"--{flag}: a secret is env:NAME or file:PATH, not {reference!r}")


def module_root(start: Path) -> Path:
    """The folder holding dagger.json, at or above `start` (where the CLI finds the module)."""
    for folder in (start, *start.parents):
        if (folder / "dagger.json").is_file():
            return folder
    raise CallError(f"no dagger.json at or above {start}: not inside a Dagger module")


def arguments(call: Call, cwd: Path) -> dict[str, Any]:
    """The function's keyword arguments, converted as the CLI converts flags."""
    function = functions()[call.function]
    values: dict[str, Any] = {}
    for name, parameter in function.parameters.items():
        flag = kebab(parameter.name)
        kind = _base_type(parameter.resolved_type)
        given = call.args.get(flag)
        if kind is dagger.Directory:
            if given is None and parameter.default_path is None:
                continue
            root = module_root(cwd)
            path = cwd / given if given is not None else root / parameter.default_path.lstrip("/")
            values[name] = dag.host().directory(str(path.resolve()), exclude=list(parameter.ignore or []))
        elif given is None:
            continue
        elif kind is dagger.File:
            values[name] = dag.host().file(str((cwd / given).resolve()))
        elif kind is dagger.Secret:
            values[name] = _secret(flag, given)
        elif kind is bool:
            values[name] = given.lower() not in ("false", "0")
        else:
            values[name] = given
    return values


async def run(call: Call, cwd: Path) -> str:
    """Call the function, then each chained call on its result; returns what the CLI would print."""
    method = getattr(Careervp(), call.function.replace("-", "_"))
    result: Any = await method(**arguments(call, cwd))
    for chained in call.chain:
        attribute = getattr(result, chained.name.replace("-", "_"), None)
        if attribute is None or chained.name.startswith("_"):
            raise CallError(f'unknown command "{chained.name}" for {type(result).__name__}')
        kwargs = {kebab(k).replace("-", "_"): v for k, v in chained.args.items()}
        if chained.name == "export" and "path" in kwargs:
            kwargs["path"] = str((cwd / kwargs["path"]).resolve())
        result = attribute(**kwargs)
        if inspect.isawaitable(result):
            result = await result
    if isinstance(result, dagger.Container):
        await result.sync()
        return ""
    return "" if result is None else str(result)
