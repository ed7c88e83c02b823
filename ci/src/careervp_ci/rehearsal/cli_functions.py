"""What the Dagger CLI lists as the functions of a type: the commands the next word of `dagger call` may
name, with their flags.

A module object's come from the SDK's registry, named as the engine and CLI name them (cli_names.cli_name);
a core type's from the SDK's generated client (`dagger.File.export`), named back with the SDK's own
conversion (cli_names.core_cli_name). As in the CLI (cmd/dagger flags.go `AddFlag`, module_inspect.go
`GetSupportedFunctions`), an argument whose type no flag can carry is no flag, and a function requiring one
is not listed.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import dagger.client.gen
from dagger.client.base import Type

from careervp_ci.dagger_module.cli_names import cli_name, core_cli_name

FLAG_OBJECTS: Final = frozenset(
    {
        *("Container", "Directory", "File", "Secret", "Service", "PortForward", "CacheVolume"),
        *("ModuleSource", "Module", "BuildArg", "Socket", "GitRepository", "GitRef"),
    }
)
"""Objects a flag can carry (flags.go `GetCustomFlagValue`); lists take the same but Git's
(`GetCustomFlagValueSlice`). An argument of any other object type is no flag: the CLI skips a function that
requires one."""
LIST_FLAG_OBJECTS: Final = FLAG_OBJECTS - {"GitRepository", "GitRef"}
SDK_HELPERS: Final = frozenset({"with_"})
"""Methods of the generated client that are Python conveniences, not API functions."""


@dataclass(frozen=True)
class Argument:
    """A function argument as a flag: its CLI name, the Python keyword, its type (without None)."""

    flag: str
    keyword: str
    kind: Any
    required: bool
    default_path: str | None = None
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Function:
    """A function as the CLI lists it, of a module object or a core type."""

    owner: str
    command: str
    attribute: str
    arguments: Mapping[str, Argument]
    returns: Any
    never_cached: bool = False
    field: bool = False
    """An object's field: the CLI lists it as a function without arguments; Python reads an attribute."""


def _resolved(annotation: Any, owner: Any = None) -> Any:
    """The class an annotation of the generated client names: its own classes are forward references
    there (`-> "Directory"`, `-> Self`), resolved by name."""
    if annotation is typing.Self:
        return owner
    if isinstance(annotation, str):
        return getattr(dagger.client.gen, annotation, annotation)
    if getattr(annotation, "__module__", None) == dagger.client.gen.__name__:
        return getattr(dagger.client.gen, annotation.__name__, annotation)
    return annotation


def _without_none(annotation: Any, owner: Any = None) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        (kind,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _resolved(kind, owner)
    return _resolved(annotation, owner)


def _scalar(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, (str, int, float, bool, enum.Enum))


def _takes_a_flag(kind: Any) -> bool:
    """Whether the CLI has a flag for an argument of this type (flags.go `AddFlag`)."""
    if typing.get_origin(kind) is list:
        (element,) = typing.get_args(kind)
        element = _resolved(element)
        return _scalar(element) or getattr(element, "__name__", "") in LIST_FLAG_OBJECTS
    return _scalar(kind) or getattr(kind, "__name__", "") in FLAG_OBJECTS


def _function(
    owner: str, command: str, attribute: str, arguments: list[Argument], **rest: Any
) -> Function | None:
    """The function with the arguments the CLI has flags for, or None when it requires one it has not
    (the CLI leaves the function out: `GetSupportedFunctions`)."""
    if any(a.required and not _takes_a_flag(a.kind) for a in arguments):
        return None
    flags = {a.flag: a for a in arguments if _takes_a_flag(a.kind)}
    return Function(owner, command, attribute, flags, **rest)


def module_functions(cls: type) -> dict[str, Function]:
    """A module object's functions by CLI name, from the SDK's registry (what `dagger functions` lists):
    its fields first (module_inspect.go `GetFieldFunctions`), then its functions."""
    definition = cls.__dagger_object_type__  # type: ignore[attr-defined]
    hints = typing.get_type_hints(cls)
    functions = {
        cli_name(name): Function(
            cls.__name__, cli_name(name), field.original_name, {}, hints[field.original_name], field=True
        )
        for name, field in definition.fields.items()
    }
    for name, function in definition.functions.items():
        if not name:  # the constructor: this module's objects have none the CLI would take flags for
            continue
        arguments = [
            Argument(
                cli_name(parameter.name),
                keyword,
                _without_none(parameter.resolved_type),
                required=not parameter.is_optional,
                default_path=parameter.default_path,
                ignore=tuple(parameter.ignore or ()),
            )
            for keyword, parameter in function.parameters.items()
        ]
        never = function.cache_policy == "never"
        found = _function(
            cls.__name__,
            cli_name(name),
            function.original_name,
            arguments,
            returns=function.return_type,
            never_cached=never,
        )
        if found is not None:
            functions[found.command] = found
    return functions


def core_functions(cls: type) -> dict[str, Function]:
    """A core type's functions by CLI name, from the SDK's generated client (`dagger.File`: `export`, ...)."""
    functions = {}
    for attribute, member in vars(cls).items():
        if attribute.startswith("_") or attribute in SDK_HELPERS or not callable(member):
            continue
        signature = inspect.signature(member)
        arguments = [
            Argument(core_cli_name(keyword), keyword, _without_none(p.annotation, cls), p.default is p.empty)
            for keyword, p in list(signature.parameters.items())[1:]
        ]
        returns = _resolved(signature.return_annotation, cls)
        found = _function(cls.__name__, core_cli_name(attribute), attribute, arguments, returns=returns)
        if found is not None:
            functions[found.command] = found
    return functions


def is_module_object(kind: Any) -> bool:
    return hasattr(kind, "__dagger_object_type__")


def _core_type(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Type)


def functions_of(kind: Any) -> dict[str, Function]:
    """What the next word may name after a function returning `kind`; nothing after a scalar or a list."""
    if is_module_object(kind):
        return module_functions(kind)
    return core_functions(kind) if _core_type(kind) else {}
