"""A module function's name as the pinned Dagger CLI spells it (engineVersion v0.21.11 in dagger.json).

Three steps, each where upstream takes it:
1. the Python SDK names a function or argument for the API: its Python name without a trailing
   underscore, or its `Name(...)` (`Function.name` / `Parameter.name` in the SDK's registry);
2. the engine turns that into the GraphQL field or argument name with strcase `ToLowerCamel`
   (dagger/dagger core/typedef.go `NewFunction`, `NewFunctionArg`), with the acronyms the engine
   registers (`JSON`, `LLM`: core/json.go, core/llm.go);
3. the CLI turns the field name into a command or flag with strcase `ToKebab` (cmd/dagger
   module_inspect.go `cliName`), and normalizes every flag it reads the same way (functions.go,
   `SetGlobalNormalizationFunc`), so `--awsRegion` is `--aws-region` while a command must be spelt exactly.

A core type's functions (`export`, `with-exec`) were named in Python by the SDK's code generator from the
API's names; `core_cli_name` goes back with the SDK's own `to_camel_case`, then `kebab`.

`lower_camel` and `delimited` re-state github.com/iancoleman/strcase v0.3.0 (the version dagger's go.mod
requires) rule for rule, on ASCII as strcase reads bytes; tests/rehearsal/test_cli_names.py pins them with
strcase's own test vectors and says where upstream was read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from dagger.mod._utils import normalize_name, to_camel_case

ENGINE_ACRONYMS: Final[Mapping[str, str]] = {"JSON": "JSON", "LLM": "LLM"}
"""`strcase.ConfigureAcronym` calls in the engine: a name that is exactly a key keeps the value's capitals."""

SEPARATORS: Final = " _-."


def _upper(char: str) -> bool:
    return "A" <= char <= "Z"


def _lower(char: str) -> bool:
    return "a" <= char <= "z"


def _digit(char: str) -> bool:
    return "0" <= char <= "9"


def lower_camel(name: str, acronyms: Mapping[str, str] = ENGINE_ACRONYMS) -> str:
    """strcase `ToLowerCamel`: separators dropped, the letter after a separator or a digit raised, the
    first letter lowered, and a capital after a capital lowered (`e2e` -> `e2E`, `JSONData` -> `jsonData`)."""
    name = name.strip()
    acronym = name in acronyms
    if acronym:
        name = acronyms[name]
    out: list[str] = []
    raise_next = False
    previous_upper = False
    for index, char in enumerate(name):
        upper, lower = _upper(char), _lower(char)
        shown = char
        if raise_next:
            shown = char.upper() if lower else char
        elif index == 0 or (previous_upper and not acronym):
            shown = char.lower() if upper else char
        previous_upper = upper
        if upper or lower:
            out.append(shown)
            raise_next = False
        elif _digit(char):
            out.append(char)
            raise_next = True
        else:
            raise_next = char in SEPARATORS
    return "".join(out)


def delimited(name: str, delimiter: str) -> str:
    """strcase `ToDelimited`: lower case, a delimiter wherever a letter meets a digit or a lower-case letter
    meets a capital, a run of capitals kept as one word (`JSONData` -> `json-data`), separators replaced."""
    name = name.strip()
    out: list[str] = []
    for index, char in enumerate(name):
        upper, lower, digit = _upper(char), _lower(char), _digit(char)
        shown = char.lower() if upper else char
        after = name[index + 1] if index + 1 < len(name) else ""
        next_upper, next_lower, next_digit = _upper(after), _lower(after), _digit(after)
        if (
            (upper and (next_lower or next_digit))
            or (lower and (next_upper or next_digit))
            or (digit and (next_upper or next_lower))
        ):
            if upper and next_lower and index > 0 and _upper(name[index - 1]):
                out.append(delimiter)  # the last capital of a run starts the next word: JSON|Data
            out.append(shown)
            if lower or digit or next_digit:
                out.append(delimiter)
        elif char in SEPARATORS:
            out.append(delimiter)
        else:
            out.append(shown)
    return "".join(out)


def kebab(name: str) -> str:
    """strcase `ToKebab`: the CLI's `cliName`, and what the CLI makes of every flag name it reads."""
    return delimited(name, "-")


def cli_name(sdk_name: str) -> str:
    """The command or flag the CLI shows for a module function or argument the SDK registered as
    `sdk_name` (`change_set` -> `change-set`, `e2e` -> `e-2-e`, `s3_bucket` -> `s-3-bucket`)."""
    return kebab(lower_camel(sdk_name))


def core_cli_name(python_name: str) -> str:
    """The command or flag the CLI shows for a function or argument of a core type's generated client
    (`export` -> `export`, `allow_parent_dir_path` -> `allow-parent-dir-path`, `from_` -> `from`)."""
    return kebab(to_camel_case(normalize_name(python_name)))
