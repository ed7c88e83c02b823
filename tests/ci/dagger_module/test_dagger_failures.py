"""How a failed step reads in `dagger call`: which step, the exit code, the tool's last lines, and the two
commands that reproduce it."""

from __future__ import annotations

import shlex

import pytest
from careervp_ci.dagger_module.failures import describe_failure
from careervp_ci.rehearsal.call import parse
from careervp_ci.rehearsal.layers import exec_error


@pytest.mark.parametrize(
    ("argv", "host", "dagger"),
    [
        (
            ["careervp-ci", "test", "--suite", "unit", "--no-cache"],
            "uv run careervp-ci test --suite unit",
            "dagger call test --suite unit",
        ),
        (
            ["careervp-ci", "ci", "--profile", "pr", "--only", "coverage", "--no-cache"],
            "uv run careervp-ci ci --profile pr --only coverage",
            "dagger call job --profile pr --step coverage",
        ),
        (
            ["careervp-ci", "deploy", "--env", "dev", "--artifact", "sha256:ab", "--store", "s3://b/p"],
            "uv run careervp-ci deploy --env dev --artifact sha256:ab --store s3://b/p",
            "dagger call release --store s3://b/p --aws-access-key-id env:AWS_ACCESS_KEY_ID "
            "--aws-secret-access-key env:AWS_SECRET_ACCESS_KEY --aws-session-token env:AWS_SESSION_TOKEN "
            "deploy --env dev --artifact sha256:ab",
        ),
    ],
)
def test_a_failure_names_the_step_its_output_and_how_to_reproduce_it(
    argv: list[str], host: str, dagger: str
) -> None:
    lines = "\n".join(f"line {n}" for n in range(100))
    message = describe_failure(argv, exec_error(argv, 3, "", lines + "\nassert 1 == 2"))
    assert message.startswith(f"step `{argv[1]}` failed in its container (exit 3): {' '.join(argv)}")
    assert "--- last lines of stderr ---" in message and "assert 1 == 2" in message
    assert "line 59" not in message and "line 99" in message
    assert f"reproduce on the host: {host}\n" in message
    assert message.endswith(f"reproduce in Dagger:  {dagger}")
    parse(dagger.split()[2:])  # the Dagger line is one the CLI accepts


STORE = ["--store", "s3://b/p"]


@pytest.mark.parametrize(
    ("argv", "function"),
    [
        (["careervp-ci", "build", "--commit", "c0ffee", "--out", "/artifacts"], "build --commit c0ffee"),
        (
            [
                "careervp-ci",
                "change-set",
                "--env",
                "dev",
                "--artifact",
                "sha256:ab",
                "--out",
                "/c.json",
                *STORE,
            ],
            "change-set",
        ),
        (
            ["careervp-ci", "evidence", "--env", "dev", "--out", "/evidence", "--run", "7", *STORE],
            "evidence --env dev --run 7",
        ),
        (["careervp-ci", "ledger", "--json", *STORE], "ledger --as-json"),
        (["careervp-ci", "journeys", "--env", "dev", *STORE], "journeys --env dev"),
        (["careervp-ci", "admit-ref", "--ref", "v1", "--env", "prod", "--override-ref", "why"], "admit-ref"),
        (
            ["careervp-ci", "pipeline-tests", "--no-cache", "--marker", "not slow"],
            "pipeline-tests --marker 'not slow'",
        ),
        (
            ["careervp-ci", "openapi", "--no-cache", "--base-ref", "origin/main"],
            "openapi --base-ref origin/main",
        ),
    ],
)
def test_the_dagger_hint_names_the_function_and_flags_as_the_cli_spells_them(
    argv: list[str], function: str
) -> None:
    """The hint uses the CLI's own conversion of names, drops what the function returns instead (`--out`),
    quotes a value with a space, and is a line the CLI accepts."""
    hint = describe_failure(argv, exec_error(argv, 1, "", "boom")).rpartition("reproduce in Dagger:  ")[2]
    assert f" {function}" in hint
    words = shlex.split(hint)
    call = parse(words[2:])
    assert call.functions[-1].name == argv[1]
    assert "--out" not in words
