"""`dagger call` lines read as the Dagger CLI reads them: refusals happen before any container starts."""

from __future__ import annotations

import pytest
from careervp_ci.rehearsal.call import CallError, parse

RELEASE = ["release", "--store", "s3://b/p", "--aws-access-key-id", "env:AWS_ACCESS_KEY_ID"]


def test_kebab_case_function_flags_and_chained_calls() -> None:
    call = parse(
        ["job", "--profile", "main", "--step=coverage", "directory", "--path", "x", "export", "--path", "y"]
    )
    assert [(c.object, c.name, c.args) for c in call.functions] == [
        ("Careervp", "job", {"profile": "main", "step": "coverage"})
    ]
    assert [(c.name, c.args) for c in call.chain] == [("directory", {"path": "x"}), ("export", {"path": "y"})]
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


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["deploi", "--env", "dev"], 'unknown command "deploi" for "dagger call"'),
        (["lint", "--srcs", "."], "unknown flag: --srcs"),
        (["release", "--env", "dev"], "unknown flag: --env (function release takes"),
        (["release"], "required flag(s) 'store' not set"),
        ([*RELEASE, "deploi"], 'unknown command "deploi" for Release'),
        ([*RELEASE, "deploy", "--env", "dev"], "required flag(s) 'artifact' not set"),
        ([*RELEASE], "dagger call: name a function of Release"),
        ([*RELEASE, "smoke", "--env"], "flag needs an argument: --env"),
    ],
)
def test_the_cli_refusals(words: list[str], message: str) -> None:
    with pytest.raises(CallError) as refused:
        parse(words)
    assert message in str(refused.value)
