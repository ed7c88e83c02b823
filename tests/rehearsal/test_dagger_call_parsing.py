"""`dagger call` lines read as the pinned Dagger CLI reads them: refusals happen at parse time, before any
container starts, with the CLI's wording (cobra `NoArgs`, pflag errors, `ValidateRequiredFlags`) and the
cause. Upstream's rules and where they were read: careervp_ci.rehearsal.call and test_cli_names.py."""

from __future__ import annotations

from pathlib import Path

import anyio
import dagger
import pytest
from careervp_ci.dagger_module.main import Careervp
from careervp_ci.rehearsal.call import CLI_FLAGS, Call, CallError, parse, run
from careervp_ci.rehearsal.cli_functions import functions_of, module_functions
from careervp_ci.rehearsal.resolver import Engine, rehearsing
from dagger.mod._module import Module

RELEASE = ["release", "--store", "s3://b/p", "--aws-access-key-id", "env:AWS_ACCESS_KEY_ID"]

plants = Module()


@plants.object_type
class Plant:
    """A tiny module with the names the real CLI would surprise a reader with."""

    @plants.function
    def e2e(self) -> str:
        return "journeys"

    @plants.function
    def upload(self, s3_bucket: str, dry_run: bool = False) -> str:
        return f"{s3_bucket} dry_run={dry_run}"

    @plants.function
    def report(self, json: bool = False) -> str:
        return str(json)


def rehearsed(call: Call, cwd: Path, cache: Path) -> str:
    """`run` as the rehearsal's `dagger` runs it: objects cross calls as IDs, which only an engine gives."""
    with rehearsing(Engine(cache, log=lambda _: None)):
        return anyio.run(run, call, cwd)


def refusal(words: list[str], root: type = Careervp) -> str:
    with pytest.raises(CallError) as refused:
        parse(words, root)
    return str(refused.value)


def test_functions_flags_and_chained_calls_by_their_cli_names() -> None:
    call = parse(["job", "--profile", "main", "--step=coverage"])
    assert [(c.object, c.name, c.args) for c in call.functions] == [
        ("Careervp", "job", {"profile": "main", "step": "coverage"})
    ]
    call = parse(["synth", "file", "--path", "manifest.json", "export", "--path", "out.json"])
    assert [c.name for c in call.functions] == ["synth"]
    assert [(c.name, c.args) for c in call.chain] == [
        ("file", {"path": "manifest.json"}),
        ("export", {"path": "out.json"}),
    ]
    assert not call.side_effects


def test_a_function_returning_a_module_object_takes_the_next_word_as_its_function() -> None:
    call = parse([*RELEASE, "evidence", "--env", "dev", "export", "--path", "evidence"])
    assert [(c.object, c.name) for c in call.functions] == [("Careervp", "release"), ("Release", "evidence")]
    assert call.functions[0].args == {"store": "s3://b/p", "aws-access-key-id": "env:AWS_ACCESS_KEY_ID"}
    assert [(c.name, c.args) for c in call.chain] == [("export", {"path": "evidence"})]
    assert call.side_effects


def test_a_renamed_argument_takes_its_api_name() -> None:
    call = parse([*RELEASE, "promote", "--from", "dev", "--to", "staging"])
    assert call.functions[1].args["from"] == "dev"


def test_a_flag_is_normalized_like_the_cli_but_a_command_is_not() -> None:
    """pflag runs every flag it reads through the CLI's normalization (ToKebab); cobra matches a command
    by its exact name."""
    call = parse(["release", "--store", "s", "--awsRegion", "eu-west-1", "--aws_session_token", "env:T"])
    assert call.functions[0].args == {"store": "s", "aws-region": "eu-west-1", "aws-session-token": "env:T"}
    assert refusal(["change_set_markdown"]).startswith(
        'unknown command "change_set_markdown" for "dagger call": '
        "the Dagger CLI spells that function 'change-set-markdown'"
    )


def test_a_function_named_with_a_digit_is_refused_by_its_python_spelling() -> None:
    """The plant: a workflow calling `e2e` where the CLI has only `e-2-e`."""
    message = refusal(["e2e"], Plant)
    assert message == 'unknown command "e2e" for "dagger call": the Dagger CLI spells that function \'e-2-e\''
    assert [c.name for c in parse(["e-2-e"], Plant).functions] == ["e-2-e"]


def test_an_argument_named_with_a_digit_is_a_flag_in_either_spelling() -> None:
    """`s3_bucket` is `--s-3-bucket`; the CLI normalizes `--s3-bucket` to that, so both are accepted."""
    for flag in ("--s-3-bucket", "--s3-bucket", "--s3Bucket"):
        assert parse(["upload", flag, "b"], Plant).functions[0].args == {"s-3-bucket": "b"}


def test_a_boolean_flag_takes_no_value() -> None:
    """The plant: `--flag false` leaves `false` as the next word, which the CLI reads as a function."""
    message = refusal([*RELEASE, "ledger", "--as-json", "false"])
    assert message == (
        'unknown command "false" for "dagger call release ledger": '
        "--as-json is a boolean flag and takes no value "
        "(--as-json or --as-json=false)"
    )
    assert refusal(["upload", "--s3-bucket", "b", "--dry-run", "true"], Plant).startswith(
        'unknown command "true" for "dagger call upload": --dry-run is a boolean flag'
    )
    # cobra validates the required flags before it looks for the next command: a flag after the stray
    # word is never read
    assert refusal(["upload", "--dry-run", "true", "--s3-bucket", "b"], Plant) == (
        'required flag(s) "s-3-bucket" not set (dagger call upload)'
    )
    assert parse([*RELEASE, "ledger", "--as-json"]).functions[1].args == {"as-json": "true"}
    assert parse([*RELEASE, "ledger", "--as-json=F"]).functions[1].args == {"as-json": "false"}
    assert refusal([*RELEASE, "ledger", "--as-json=no"]) == (
        'invalid argument "no" for "--as-json" flag: strconv.ParseBool: parsing "no": invalid syntax'
    )


def test_a_chained_call_must_exist_on_the_type_the_call_before_returns() -> None:
    """The plant: `build` returns a File, and `entries` is a Directory's function, not a File's."""
    assert (
        refusal(["build", "--commit", "c0ffee", "entries"])
        == 'unknown command "entries" for "dagger call build": File has no such function'
    )
    assert refusal(["build", "--commit", "c0ffee", "exprt", "--path", "x"]).startswith(
        'unknown command "exprt" for "dagger call build"'
    )
    assert refusal([*RELEASE, "verify", "--env", "dev", "export", "--path", "x"]) == (
        'unknown command "export" for "dagger call release verify": '
        "verify returns str, which has no functions"
    )
    assert refusal(["build", "--commit", "c0ffee", "export", "--pth", "x"]).startswith(
        "unknown flag: --pth (build export takes --allow"
    )
    assert (
        refusal(["build", "--commit", "c0ffee", "export"])
        == 'required flag(s) "path" not set (dagger call build export)'
    )
    assert refusal([*RELEASE, "deploi"]).startswith(
        'unknown command "deploi" for "dagger call release"; Release has approve, change-set,'
    )


def test_a_core_function_requiring_an_argument_no_flag_can_carry_is_not_a_command() -> None:
    """`Directory.withChanges` requires a Changeset, which no flag carries: the CLI leaves it out."""
    assert "with-changes" not in functions_of(dagger.Directory)
    assert {"with-directory", "with-new-file", "export", "entries"} <= set(functions_of(dagger.Directory))
    assert set(functions_of(dagger.File)["export"].arguments) == {"path", "allow-parent-dir-path"}


def test_an_argument_named_like_the_clis_own_flag_cannot_be_defined() -> None:
    """Every function inherits `--json`; a local flag of that name is refused once words follow it."""
    assert refusal(["report", "--json"], Plant).startswith(
        "flag already exists: json (Plant.report has an argument"
    )
    assert parse(["report"], Plant).functions[0].name == "report"


def test_no_module_argument_is_named_like_the_clis_own_flags() -> None:
    for obj in (Careervp, functions_of(Careervp)["release"].returns):
        for name, function in module_functions(obj).items():
            assert not CLI_FLAGS & set(function.arguments), (obj.__name__, name)


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["deploi", "--env", "dev"], 'unknown command "deploi" for "dagger call"; Careervp has admit-ref,'),
        (["lint", "--srcs", "."], "unknown flag: --srcs (lint takes --src)"),
        (["release", "--env", "dev"], "unknown flag: --env (release takes --aws-access-key-id,"),
        (["release"], 'required flag(s) "store" not set (dagger call release)'),
        ([*RELEASE, "deploy", "--env", "dev"], 'required flag(s) "artifact" not set'),
        ([*RELEASE, "smoke", "--env"], "flag needs an argument: --env"),
        (["--progress", "plain", "ci"], "--progress: the rehearsal does not take the Dagger CLI's own flags"),
        (["-o", "out.tar", "build"], "-o: the rehearsal does not take the Dagger CLI's own flags (-o)"),
        (["-x", "build"], "unknown shorthand flag: 'x' in -x"),
    ],
)
def test_the_cli_refusals(words: list[str], message: str) -> None:
    assert refusal(words).startswith(message)


def test_a_call_may_end_in_an_object_as_on_the_cli() -> None:
    """The CLI prints an object a chain ends in (`Release@...`) rather than refusing the line."""
    assert [c.name for c in parse(RELEASE).functions] == ["release"]
    assert parse([]).functions == ()


def test_a_call_runs_the_python_function_behind_each_cli_name(tmp_path: Path) -> None:
    assert rehearsed(parse(["e-2-e"], Plant), tmp_path, tmp_path / "cache") == "journeys"
    upload = parse(["upload", "--s3-bucket", "b", "--dry-run=false"], Plant)
    assert rehearsed(upload, tmp_path, tmp_path / "cache") == "b dry_run=False"
    upload = parse(["upload", "--s3Bucket=c", "--dry-run"], Plant)
    assert rehearsed(upload, tmp_path, tmp_path / "cache") == "c dry_run=True"


def test_a_call_ending_in_an_object_prints_its_type(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    assert rehearsed(parse(["release", "--store", "s3://b/p"]), root, tmp_path) == "Release"


def test_an_objects_field_is_a_function_without_arguments(tmp_path: Path) -> None:
    """The CLI lists a field (`Release.store`) among the functions and prints its value."""
    call = parse(["release", "--store", "s3://b/p", "store"])
    assert [(c.object, c.name, c.args) for c in call.functions][-1] == ("Release", "store", {})
    assert refusal(["release", "--store", "s3://b/p", "store", "--env", "dev"]) == (
        "unknown flag: --env (release store takes no flags)"
    )
    root = Path(__file__).resolve().parents[2]
    assert rehearsed(call, root, tmp_path) == "s3://b/p"
