"""`dagger call ...` as the pinned Dagger CLI reads it, executed by the rehearsal engine.

The rules are upstream's: dagger/dagger cmd/dagger (functions.go, flags.go, module_inspect.go; where and at
which commit: tests/rehearsal/test_cli_names.py) over spf13/cobra v1.10.2 and spf13/pflag v1.0.10.
- A function is a command spelt exactly as careervp_ci.dagger_module.cli_names spells it (`e2e` is
  `e-2-e`); a flag is normalized the same way before it is looked up (`--awsRegion` is `--aws-region`).
- A function's flags come right after it, up to the first other word (`SetInterspersed(false)`): `--name
  value` or `--name=value`. A boolean flag takes no value (`--flag` is true, `--flag=false` false), so in
  `--flag false` the word `false` is the next command, refused as one.
- An argument with no default that is neither optional nor given a DefaultPath is required.
- The next word is a function of the type the previous one returns: one of the module's objects (`release
  --store S deploy ...`) or a core type, as the SDK's generated client has it (`build export --path P`); a
  scalar has none. At the end a Container is synced, a Directory or File evaluated, and the object named.
A Directory or File flag is a host path; a Directory argument left out is loaded from its DefaultPath in the
repository that holds dagger.json, filtered by its Ignore patterns (so is one given on the command line). A
Secret flag is an address, `dag.address(value).secret()` (flags.go `secretValue.Get`): the engine reads it
(`secret_sources`), and one with no `:` is taken as `env://` with upstream's deprecation warning. The CLI logs
that warning through slog to its TUI; the rehearsal writes it on stderr, level first.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import dagger
from dagger import dag
from dagger.client.base import Type

from careervp_ci.dagger_module.cli_names import kebab
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.rehearsal.cli_functions import Argument, Function, functions_of, is_module_object
from careervp_ci.rehearsal.invoke import invoke, loaded

CLI_FLAGS: Final = frozenset(
    {
        *("help", "workdir", "verbose", "quiet", "silent", "debug", "progress", "lock", "interactive"),
        *("interactive-command", "web", "no-exit", "auto-apply", "x-release", "cloud", "scale-out"),
        *("dot-output", "dot-focus-field", "dot-show-internal"),
        *("mod", "no-mod", "allow-llm", "eager-runtime", "output", "json"),
    }
)
"""The flags every command under `dagger call` inherits: the root's (main.go `installGlobalFlags`, `help`)
and `call`'s (module.go `moduleAddFlags`, functions.go `--output`, `--json`). The rehearsal does not take
them, and the CLI cannot define a function argument of the same name (`flag already exists`)."""
CLI_SHORTHANDS: Final = frozenset("hvqsdiwEymMoj")
GO_BOOLS: Final = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), "true"),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), "false"),
}
"""What Go's strconv.ParseBool accepts: a boolean flag's `=value`."""


class CallError(Exception):
    """The command line is not one the Dagger CLI would accept (exit 1, like the CLI)."""


@dataclass(frozen=True)
class FunctionCall:
    """One of the module's functions, on the object the call has reached (`Careervp`, then `Release`)."""

    object: str
    name: str
    args: dict[str, str]
    function: Function


@dataclass(frozen=True)
class ChainedCall:
    """A function of a core type, called on what the call before returned (`export --path P`)."""

    name: str
    args: dict[str, str]
    function: Function


@dataclass(frozen=True)
class Call:
    root: type
    functions: tuple[FunctionCall, ...]
    chain: tuple[ChainedCall, ...]

    @property
    def side_effects(self) -> bool:
        """Whether any function on the way is never cached: it changes the world, so it may reach it."""
        return any(call.function.never_cached for call in self.functions)


def _loose(name: str) -> str:
    return name.replace("-", "").replace("_", "").lower()


def _unknown_command(
    word: str, path: Sequence[str], owner: Any, known: Mapping[str, Function], boolean: str | None
) -> str:
    """cobra's `NoArgs` wording, then what the rehearsal can tell about the cause."""
    message = f'unknown command "{word}" for "{" ".join(path)}"'
    if boolean:
        return (
            f"{message}: --{boolean} is a boolean flag and takes no value (--{boolean} or --{boolean}={word})"
        )
    spelt = [name for name in known if _loose(name) == _loose(word)]
    if spelt:
        return f"{message}: the Dagger CLI spells that function {spelt[0]!r}"
    if not known:
        return f"{message}: {path[-1]} returns {getattr(owner, '__name__', owner)}, which has no functions"
    if is_module_object(owner):
        return f"{message}; {owner.__name__} has {', '.join(sorted(known))}"
    return f"{message}: {owner.__name__} has no such function"


def _flags(
    words: list[str], arguments: Mapping[str, Argument], where: str
) -> tuple[dict[str, str], list[str], str | None]:
    """The flags up to the first other word, as pflag reads them; returns them, the words left, and the
    boolean flag given last without a value (the word after it was not its value)."""
    values: dict[str, str] = {}
    boolean = None
    while words and words[0].startswith("-") and words[0] != "-":
        word, words = words[0], words[1:]
        if word == "--":
            return values, words, None
        if not word.startswith("--"):
            letter = word[1]
            if letter in CLI_SHORTHANDS:
                raise CallError(f"{word}: the rehearsal does not take the Dagger CLI's own flags (-{letter})")
            raise CallError(f"unknown shorthand flag: {letter!r} in {word}")
        given, has_value, value = word[2:].partition("=")
        flag = kebab(given)
        argument = arguments.get(flag)
        if argument is None:
            if flag in CLI_FLAGS:
                raise CallError(f"--{given}: the rehearsal does not take the Dagger CLI's own flags")
            known = ", ".join(f"--{name}" for name in sorted(arguments)) or "no flags"
            raise CallError(f"unknown flag: --{given} ({where} takes {known})")
        boolean = None
        if argument.kind is bool and has_value:
            if value not in GO_BOOLS:
                raise CallError(
                    f'invalid argument "{value}" for "--{flag}" flag: strconv.ParseBool: parsing "{value}": '
                    "invalid syntax"
                )
            value = GO_BOOLS[value]
        elif argument.kind is bool:
            value, boolean = "true", flag
        elif not has_value:
            if not words:
                raise CallError(f"flag needs an argument: --{given}")
            value, words = words[0], words[1:]
        values[flag] = value
    return values, words, boolean


def parse(words: Sequence[str], root: type = Careervp) -> Call:
    """Parse the words after `dagger call`, refusing what the CLI refuses, before anything runs."""
    path = ["dagger", "call"]
    _, rest, boolean = _flags(list(words), {}, '"dagger call"')
    owner: Any = root
    calls: list[FunctionCall] = []
    chain: list[ChainedCall] = []
    while rest:
        known = functions_of(owner)
        word, rest = rest[0], rest[1:]
        if word not in known:
            raise CallError(_unknown_command(word, path, owner, known, boolean))
        function = known[word]
        path.append(word)
        clash = sorted(CLI_FLAGS & set(function.arguments))
        if rest and clash:
            raise CallError(
                f"flag already exists: {clash[0]} ({function.owner}.{word} has an argument named like the "
                f"Dagger CLI's own --{clash[0]}, which every function inherits: rename the argument)"
            )
        args, rest, boolean = _flags(rest, function.arguments, " ".join(path[2:]))
        missing = sorted(
            flag for flag, argument in function.arguments.items() if argument.required and flag not in args
        )
        if missing:
            raise CallError('required flag(s) "' + '", "'.join(missing) + f'" not set ({" ".join(path)})')
        if is_module_object(owner):
            calls.append(FunctionCall(owner.__name__, word, args, function))
        else:
            chain.append(ChainedCall(word, args, function))
        owner = function.returns
    return Call(root, tuple(calls), tuple(chain))


def _secret(address: str) -> dagger.Secret:
    if ":" not in address:  # upstream's wording, its typo included
        warning = f'missig URI scheme in secret argument "{address}". Add env:// prefix to prevent errors'
        print(f"WARN deprecation: {warning} in future versions", file=sys.stderr)
    return dag.address(address).secret()


def module_root(start: Path) -> Path:
    """The folder holding dagger.json, at or above `start` (where the CLI finds the module)."""
    for folder in (start, *start.parents):
        if (folder / "dagger.json").is_file():
            return folder
    raise CallError(f"no dagger.json at or above {start}: not inside a Dagger module")


def arguments(function: Function, given: Mapping[str, str], cwd: Path) -> dict[str, Any]:
    """The function's keyword arguments, converted as the CLI converts flags."""
    values: dict[str, Any] = {}
    for flag, argument in function.arguments.items():
        kind, value = argument.kind, given.get(flag)
        if kind is dagger.Directory:
            if value is not None:
                path = cwd / value
            elif argument.default_path is not None:
                path = module_root(cwd) / argument.default_path.lstrip("/")
            else:
                continue
            values[argument.keyword] = dag.host().directory(
                str(path.resolve()), exclude=list(argument.ignore)
            )
        elif value is None:
            continue
        elif kind is dagger.File:
            values[argument.keyword] = dag.host().file(str((cwd / value).resolve()))
        elif kind is dagger.Secret:
            values[argument.keyword] = _secret(value)
        elif kind is bool:
            values[argument.keyword] = value == "true"
        elif kind is str and function.command == "export" and flag == "path":
            values[argument.keyword] = str((cwd / value).resolve())  # a host path is the CLI's cwd's
        elif kind is str:
            values[argument.keyword] = value
        else:
            raise CallError(
                f"--{flag}: the rehearsal does not convert a flag of type {kind} ({function.command})"
            )
    return values


async def _shown(result: Any) -> str:
    """What the CLI prints for the chain's last result: an object is synced (a Container) or evaluated (the
    rehearsal engine evaluates a Directory or File by its digest) and named; a value is printed."""
    if isinstance(result, dagger.Container):
        await result.sync()
    elif isinstance(result, (dagger.Directory, dagger.File)):
        await result.digest()
    if isinstance(result, Type) or is_module_object(result):
        return type(result).__name__
    return "" if result is None else str(result)


async def run(call: Call, cwd: Path) -> str:
    """Call the module's functions in turn as the engine does (each through the SDK runtime's dispatch, on
    the JSON the one before returned), then each chained core call on the result; returns what the CLI
    would print."""
    owner: type = call.root
    state: dict[str, Any] = {}
    result: Any = None
    for step in call.functions:
        keywords = arguments(step.function, step.args, cwd)
        result = await invoke(owner, state, step.function.attribute, keywords)
        if is_module_object(step.function.returns):
            owner, state = step.function.returns, result
    returned: Any = await loaded(owner, result, call.functions[-1].function.returns)
    for chained in call.chain:
        member = getattr(returned, chained.function.attribute)
        returned = member(**arguments(chained.function, chained.args, cwd))
        if inspect.iscoroutine(returned):  # not an awaitable object: awaiting a Directory would sync it
            returned = await returned
    return await _shown(returned)
