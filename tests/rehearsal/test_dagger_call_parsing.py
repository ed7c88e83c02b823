"""`dagger call` lines read as the Dagger CLI reads them: refusals happen before any container starts."""

from __future__ import annotations

import pytest
from careervp_ci.rehearsal.call import CallError, parse


def test_kebab_case_function_flags_and_chained_calls() -> None:
    call = parse(
        ["job", "--profile", "main", "--step=coverage", "directory", "--path", "x", "export", "--path", "y"]
    )
    assert call.function == "job"
    assert call.args == {"profile": "main", "step": "coverage"}
    assert [(c.name, c.args) for c in call.chain] == [("directory", {"path": "x"}), ("export", {"path": "y"})]


def test_a_renamed_argument_takes_its_api_name() -> None:
    assert parse(["promote", "--from", "dev", "--to", "staging", "--store", "s3://b/p"]).args["from"] == "dev"


@pytest.mark.parametrize(
    ("words", "message"),
    [
        (["deploi", "--env", "dev"], 'unknown command "deploi" for "dagger call"'),
        (["lint", "--srcs", "."], "unknown flag: --srcs"),
        (["deploy", "--env", "dev"], "required flag(s) 'artifact', 'store' not set"),
        (["smoke", "--env"], "flag needs an argument: --env"),
    ],
)
def test_the_cli_refusals(words: list[str], message: str) -> None:
    with pytest.raises(CallError) as refused:
        parse(words)
    assert message in str(refused.value)
