"""Names as the pinned Dagger CLI spells them, pinned by upstream's own test vectors.

Where upstream was read: dagger/dagger at tag v0.21.8 (7902e644beeba4468f1ea786015b4be1d6d5bbcd) and at the
head of its backport-0.21 branch (00c993cbe47ba494262871052b9ab4a547989b1d, after v0.21.8), identical in
every file cited here; the stored snapshot holds no v0.21.11 tag. Its go.mod requires
github.com/iancoleman/strcase v0.3.0 (531aaa44de12ec166ceb71d9bdad7c8295e4235f), spf13/cobra v1.10.2 and
spf13/pflag v1.0.10.
- core/typedef.go `NewFunction`, `NewFunctionArg`: the API name is strcase.ToLowerCamel(registered name);
  core/json.go and core/llm.go register the acronyms JSON and LLM.
- cmd/dagger/module_inspect.go `cliName` = strcase.ToKebab: `modFunction.CmdName`, `modFunctionArg.FlagName`.
The vectors below are strcase v0.3.0's, from snake_test.go (`toSnake`, `toDelimited`, `toKebab`: ToSnake
and ToKebab are ToDelimited with '_' and '-') and camel_test.go (`toLowerCamel`,
`TestCustomAcronymsToLowerCamel`).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator
from typing import Any

import dagger
import dagger.client.gen
import pytest
from careervp_ci.dagger_module.cli_names import cli_name, core_cli_name, delimited, kebab, lower_camel
from careervp_ci.dagger_module.main import Careervp
from dagger.client.base import Type
from dagger.mod._utils import to_camel_case

TO_SNAKE = [
    ("testCase", "test_case"),
    ("TestCase", "test_case"),
    ("Test Case", "test_case"),
    (" Test Case", "test_case"),
    ("Test Case ", "test_case"),
    (" Test Case ", "test_case"),
    ("test", "test"),
    ("test_case", "test_case"),
    ("Test", "test"),
    ("", ""),
    ("ManyManyWords", "many_many_words"),
    ("manyManyWords", "many_many_words"),
    ("AnyKind of_string", "any_kind_of_string"),
    ("numbers2and55with000", "numbers_2_and_55_with_000"),
    ("JSONData", "json_data"),
    ("userID", "user_id"),
    ("AAAbbb", "aa_abbb"),
    ("1A2", "1_a_2"),
    ("A1B", "a_1_b"),
    ("A1A2A3", "a_1_a_2_a_3"),
    ("A1 A2 A3", "a_1_a_2_a_3"),
    ("AB1AB2AB3", "ab_1_ab_2_ab_3"),
    ("AB1 AB2 AB3", "ab_1_ab_2_ab_3"),
    ("some string", "some_string"),
    (" some string", "some_string"),
]
TO_DELIMITED_AT = [
    ("testCase", "test@case"),
    ("TestCase", "test@case"),
    ("Test Case", "test@case"),
    (" Test Case", "test@case"),
    ("Test Case ", "test@case"),
    (" Test Case ", "test@case"),
    ("test", "test"),
    ("test_case", "test@case"),
    ("Test", "test"),
    ("", ""),
    ("ManyManyWords", "many@many@words"),
    ("manyManyWords", "many@many@words"),
    ("AnyKind of_string", "any@kind@of@string"),
    ("numbers2and55with000", "numbers@2@and@55@with@000"),
    ("JSONData", "json@data"),
    ("userID", "user@id"),
    ("AAAbbb", "aa@abbb"),
    ("test-case", "test@case"),
]
TO_KEBAB = [("testCase", "test-case")]
TO_LOWER_CAMEL = [
    ("foo-bar", "fooBar"),
    ("TestCase", "testCase"),
    ("", ""),
    ("AnyKind of_string", "anyKindOfString"),
    ("AnyKind.of-string", "anyKindOfString"),
    ("ID", "id"),
    ("some string", "someString"),
    (" some string", "someString"),
    ("CONSTANT_CASE", "constantCase"),
]
CUSTOM_ACRONYMS_TO_LOWER_CAMEL = [
    ("API", "api", "api"),
    ("ABCDACME", "AbcdAcme", "abcdAcme"),
    ("PostgreSQL", "PostgreSQL", "postgreSQL"),
]


@pytest.mark.parametrize(("name", "expected"), TO_SNAKE)
def test_strcase_to_snake(name: str, expected: str) -> None:
    assert delimited(name, "_") == expected


@pytest.mark.parametrize(("name", "expected"), TO_DELIMITED_AT)
def test_strcase_to_delimited(name: str, expected: str) -> None:
    assert delimited(name, "@") == expected


@pytest.mark.parametrize(
    ("name", "expected"), TO_KEBAB + [(n, e.replace("@", "-")) for n, e in TO_DELIMITED_AT]
)
def test_strcase_to_kebab(name: str, expected: str) -> None:
    assert kebab(name) == expected


@pytest.mark.parametrize(("name", "expected"), TO_LOWER_CAMEL)
def test_strcase_to_lower_camel(name: str, expected: str) -> None:
    assert lower_camel(name, acronyms={}) == expected


@pytest.mark.parametrize(("name", "value", "expected"), CUSTOM_ACRONYMS_TO_LOWER_CAMEL)
def test_strcase_custom_acronyms_to_lower_camel(name: str, value: str, expected: str) -> None:
    assert lower_camel(name, acronyms={name: value}) == expected


@pytest.mark.parametrize(
    ("registered", "api", "cli"),
    [
        ("e2e", "e2E", "e-2-e"),  # a letter after a digit is a new word: the CLI has no command `e2e`
        ("s3_bucket", "s3Bucket", "s-3-bucket"),
        ("aws_access_key_id", "awsAccessKeyId", "aws-access-key-id"),
        ("change_set_markdown", "changeSetMarkdown", "change-set-markdown"),
        ("getURL", "getUrl", "get-url"),
        ("HTTPServer", "httpserver", "httpserver"),  # a capital after a capital is lowered first
        ("JSON", "jSON", "j-son"),  # an engine acronym keeps its capitals, then ToKebab splits them
    ],
)
def test_a_registered_name_becomes_the_api_name_then_the_cli_name(
    registered: str, api: str, cli: str
) -> None:
    assert lower_camel(registered) == api
    assert cli_name(registered) == cli


@pytest.mark.parametrize(
    ("api", "cli"),
    [
        ("e2e", "e-2-e"),
        ("s3Bucket", "s-3-bucket"),
        ("awsAccessKeyId", "aws-access-key-id"),
        ("JSONData", "json-data"),
    ],
)
def test_kebab_of_api_names_with_digits_and_acronyms(api: str, cli: str) -> None:
    assert kebab(api) == cli


@pytest.mark.parametrize("name", ["e-2-e", "aws-access-key-id", "json-data", "s-3-bucket", "a1b2", "X_Y z"])
def test_kebab_is_its_own_fixed_point(name: str) -> None:
    """The CLI normalizes a flag it defines and a flag it reads with the same function: normalizing twice
    must change nothing, or a defined flag could not be found again."""
    assert kebab(kebab(name)) == kebab(name)


def module_names() -> Iterator[tuple[str, str]]:
    """Every function and argument the module registers, by the SDK's own naming (`Name(...)` applied)."""
    objects = Careervp.__dagger_module__._objects  # type: ignore[attr-defined]
    for obj, definition in objects.items():
        for name, function in definition.functions.items():
            if name:
                yield f"{obj}.{name}", name
            for parameter in function.parameters.values():
                yield f"{obj}.{name}({parameter.name})", parameter.name


def test_every_module_name_reads_on_the_cli_as_in_python_with_dashes() -> None:
    """A name whose CLI spelling differs (a digit, a capital) makes workflow, docs and CLI disagree."""
    surprises = [
        f"{where}: the CLI spells it {cli_name(name)!r}"
        for where, name in module_names()
        if cli_name(name) != name.replace("_", "-")
    ]
    assert surprises == []


def test_the_sdks_camel_case_and_the_engines_give_the_module_the_same_cli_names() -> None:
    for where, name in module_names():
        assert kebab(to_camel_case(name)) == cli_name(name), where


def core_types() -> list[type[Type]]:
    generated = vars(dagger.client.gen).values()
    return [
        kind
        for kind in generated
        if inspect.isclass(kind) and issubclass(kind, Type) and kind.__module__ == "dagger"
    ]


def selected_names(method: Any) -> tuple[str | None, list[str]]:
    """The API field a generated method selects and the API names of the arguments it passes, as the SDK's
    code generator wrote them (`_ctx.select("export", [Arg("allowParentDirPath", ...)])`)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.args]
    fields = [
        _text(c.args[0]) for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr == "_select"
    ]
    arguments = [_text(c.args[0]) for c in calls if isinstance(c.func, ast.Name) and c.func.id == "Arg"]
    return (fields[0] if fields else None), arguments


def _text(node: ast.expr) -> str:
    assert isinstance(node, ast.Constant) and isinstance(node.value, str), ast.dump(node)
    return node.value


def test_core_cli_names_are_the_api_names_the_generated_client_selects() -> None:
    checked = 0
    for kind in core_types():
        for name, method in vars(kind).items():
            if name.startswith("_") or not callable(method) or name == "with_":
                continue
            field, arguments = selected_names(method)
            if field is None:  # sync, start, stop, step: no plain selection to compare
                continue
            assert core_cli_name(name) == kebab(field), (kind.__name__, name, field)
            parameters = [p for p in inspect.signature(method).parameters if p != "self"]
            assert [core_cli_name(p) for p in parameters] == [kebab(a) for a in arguments], (kind, name)
            checked += 1
    assert checked > 500  # every core type of the pinned SDK, not a handful
