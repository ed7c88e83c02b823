"""`dagger call ...` as the Dagger CLI reads it, executed by the rehearsal engine.

Functions and flags are the module's, in kebab-case (`change-set-markdown`, `--aws-access-key-id`); a
Directory or File flag is a host path, a Secret flag is `env:NAME` or `file:PATH`; a Directory argument left
out is loaded from its DefaultPath in the repository that holds dagger.json, filtered by its Ignore patterns
(so is one given on the command line). A function returning one of the module's objects takes the next word
as one of that object's functions (`release --store S deploy --env dev`); words after a function returning a
core type chain calls on its result (`directory --path P export --path Q`, `stdout`). Unknown functions and
flags are refused the way the CLI refuses them.
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

from careervp_ci.dagger_module.main import Careervp


class CallError(Exception):
    """The command line is not one the Dagger CLI would accept (exit 1, like the CLI)."""


@dataclass(frozen=True)
class ChainedCall:
    name: str
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionCall:
    """One of the module's functions, on the object the call has reached (`Careervp`, then `Release`)."""

    object: str
    name: str
    args: dict[str, str]

    @property
    def function(self) -> Any:
        return functions(self.object)[self.name]


@dataclass(frozen=True)
class Call:
    functions: tuple[FunctionCall, ...]
    chain: tuple[ChainedCall, ...]

    @property
    def side_effects(self) -> bool:
        """Whether any function on the way is never cached: it changes the world, so it may reach it."""
        return any(call.function.cache_policy == "never" for call in self.functions)


def kebab(name: str) -> str:
    return name.replace("_", "-")


def functions(obj: str = "Careervp") -> dict[str, Any]:
    """An object's functions by CLI name, from the SDK's own registry (what `dagger functions` lists)."""
    registered = Careervp.__dagger_module__._objects[obj].functions  # type: ignore[attr-defined]
    return {kebab(name): function for name, function in registered.items() if name}


def module_object(function: Any) -> str | None:
    """The name of the module object a function returns, if it returns one (the CLI then calls into it)."""
    returned = function.return_type
    return returned.__name__ if hasattr(returned, "__dagger_object_type__") else None


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


def _function_call(obj: str, words: list[str]) -> tuple[FunctionCall, list[str]]:
    """One function of `obj` and its flags, checked as the CLI checks them; returns the words left."""
    known = functions(obj)
    if not words or words[0].startswith("-"):
        raise CallError(f"dagger call: name a function of {obj} ({', '.join(sorted(known))})")
    name, rest = words[0], words[1:]
    if name not in known:
        where = '"dagger call"' if obj == "Careervp" else obj
        raise CallError(f'unknown command "{name}" for {where}; functions: {", ".join(sorted(known))}')
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
    return FunctionCall(obj, name, args), rest


def parse(words: Sequence[str]) -> Call:
    """Parse the words after `dagger call`."""
    if not words or words[0].startswith("-"):
        raise CallError("dagger call: name a function (dagger functions lists them)")
    calls: list[FunctionCall] = []
    obj: str | None = "Careervp"
    rest = list(words)
    while obj is not None:
        call, rest = _function_call(obj, rest)
        calls.append(call)
        obj = module_object(call.function)
    chain: list[ChainedCall] = []
    while rest:
        step, rest = rest[0], rest[1:]
        step_args, rest = _flags(rest)
        chain.append(ChainedCall(step, step_args))
    return Call(tuple(calls), tuple(chain))


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


def arguments(call: FunctionCall, cwd: Path) -> dict[str, Any]:
    """The function's keyword arguments, converted as the CLI converts flags."""
    function = call.function
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
    """Call the functions in turn, each on the object the one before returned, then each chained call on
    the result; returns what the CLI would print."""
    result: Any = Careervp()
    for function_call in call.functions:
        result = getattr(result, function_call.function.original_name)(**arguments(function_call, cwd))
        if inspect.isawaitable(result):
            result = await result
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
