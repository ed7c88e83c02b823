"""How a failed step reads in `dagger call`: the step, its exit code, the tool's last lines, and the two
commands that reproduce it (on the host and in Dagger)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Final

import dagger

from careervp_ci.dagger_module.cli_names import cli_name

TAIL_LINES = 40


class StepFailed(Exception):
    """A step ended non-zero; raised from a function so `dagger call` exits non-zero with this message."""


def tail(text: str, lines: int = TAIL_LINES) -> str:
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join(kept)


RELEASE_CREDENTIALS = (
    "--aws-access-key-id env:AWS_ACCESS_KEY_ID --aws-secret-access-key env:AWS_SECRET_ACCESS_KEY "
    "--aws-session-token env:AWS_SESSION_TOKEN"
)
RENAMED: Final = {"only": "step", "json": "as_json"}
"""Host options whose Dagger argument is named otherwise: a `job` is `ci --only S`, and `ledger` leaves
`--json` to the Dagger CLI's own flag."""
RETURNED: Final = "--out"
"""The host option no function takes: the function returns the file or folder it names."""


def _dagger_flag(option: str) -> str:
    name = option.removeprefix("--").replace("-", "_")
    return "--" + cli_name(RENAMED.get(name, name))


def dagger_command(argv: Sequence[str]) -> str:
    """The `dagger call` line of a host command, named as the Dagger CLI names the function of the same
    (Python) name and its flags: `careervp-ci test --no-cache --suite unit` -> `dagger call test --suite
    unit`; a job of `ci` (`careervp-ci ci --profile P --only S`) -> `dagger call job --profile P --step S`;
    a release command (`careervp-ci deploy ... --store S`) -> `dagger call release --store S <credentials>
    deploy ...`."""
    command, *options = [word for word in argv[1:] if word != "--no-cache"]
    if RETURNED in options[:-1]:
        at = options.index(RETURNED)
        del options[at : at + 2]
    if command == "ci" and "--only" in options:
        command = "job"
    release = ""
    if "--store" in options[:-1]:
        at = options.index("--store")
        release = f"release --store {shlex.quote(options[at + 1])} {RELEASE_CREDENTIALS} "
        del options[at : at + 2]
    words = [_dagger_flag(word) if word.startswith("--") else word for word in options]
    return f"dagger call {release}{shlex.join([cli_name(command.replace('-', '_')), *words])}"


def host_command(argv: Sequence[str]) -> str:
    words = [word for word in argv[1:] if word != "--no-cache"]
    return shlex.join(["uv", "run", "careervp-ci", *words])


def describe_failure(argv: Sequence[str], error: dagger.ExecError) -> str:
    """The message `dagger call` shows for a failed step. Secrets never reach it: they enter containers as
    secret variables, which the engine scrubs from output."""
    step = argv[1] if len(argv) > 1 else "?"
    parts = [f"step `{step}` failed in its container (exit {error.exit_code}): {' '.join(argv)}"]
    for stream, text in (("stdout", error.stdout), ("stderr", error.stderr)):
        if text.strip():
            parts.append(f"--- last lines of {stream} ---\n{tail(text)}")
    parts.append(f"reproduce on the host: {host_command(argv)}\nreproduce in Dagger:  {dagger_command(argv)}")
    return "\n".join(parts)


def describe_toolchain_failure(error: dagger.ExecError) -> str:
    """The message when the base container itself cannot be built: which install failed, and its output."""
    parts = [
        f"the toolchain container could not be built: `{' '.join(error.command)}` exited {error.exit_code}"
    ]
    for stream, text in (("stdout", error.stdout), ("stderr", error.stderr)):
        if text.strip():
            parts.append(f"--- last lines of {stream} ---\n{tail(text)}")
    parts.append("the recipe is ci/src/careervp_ci/dagger_module/setup.py; reproduce with: dagger call setup")
    return "\n".join(parts)
