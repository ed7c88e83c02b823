"""The error model: every error `careervp-ci` raises for a person is a CareervpError carrying its exit code,
and each command line catches that base once; any other exception is a bug, never "bad usage"."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
from pathlib import Path

import careervp_ci
import pytest
from careervp_ci.errors import CareervpError, UsageError
from careervp_ci.host import cli
from careervp_ci.pipeline.plan import PlanError
from careervp_ci.release import cli as release_cli
from careervp_ci.release.errors import ReleaseFailed, ReleaseRefused, doing
from careervp_ci.release.ledger import LedgerError
from careervp_ci.release.store import StoreError

OUTSIDE = {
    "careervp_ci.pipeline.steps.context.StepCancelled": "control flow: a running step is told to stop",
    "careervp_ci.dagger_module.failures.StepFailed": "the Dagger module's own error, shown by `dagger call`",
}
"""Exceptions that are not the CLI's to catch, and why."""
OWN_COMMAND_LINE = ("careervp_ci.rehearsal.",)
"""`careervp-ci rehearse` keeps its own errors and exit codes."""


def defined_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for module_info in pkgutil.walk_packages(careervp_ci.__path__, "careervp_ci."):
        if module_info.name.startswith(OWN_COMMAND_LINE):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_pipeline_error_is_a_careervp_error() -> None:
    exceptions = defined_exceptions()
    assert len(exceptions) > 15
    strays = sorted(name for name, kind in exceptions.items() if not issubclass(kind, CareervpError))
    assert strays == sorted(OUTSIDE)


@pytest.mark.parametrize(
    ("error", "code"), [(PlanError("x"), 2), (ReleaseRefused("x"), 2), (ReleaseFailed("x"), 1)]
)
def test_the_exit_code_comes_from_the_class(error: CareervpError, code: int) -> None:
    assert error.exit_code == code


def test_cli_prints_a_careervp_error_and_returns_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(args: argparse.Namespace) -> int:
        raise UsageError("--profile 'weekly' is no profile")

    monkeypatch.setattr(cli, "dispatch", refuse)
    assert cli.main(["steps"]) == 2
    assert capsys.readouterr().err == "careervp-ci: --profile 'weekly' is no profile\n"


def test_cli_does_not_take_a_stray_value_error_for_bad_usage(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(args: argparse.Namespace) -> int:
        raise ValueError("a bug, not a usage error")

    monkeypatch.setattr(cli, "dispatch", crash)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["steps"])


def test_release_cli_names_the_command_and_returns_the_errors_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CAREERVP_STATE_DIR", str(tmp_path / "state"))

    def fail(release: object, args: argparse.Namespace) -> None:
        raise ReleaseFailed("smoke dev failed")

    monkeypatch.setitem(release_cli.RELEASE_COMMANDS, "smoke", fail)
    args = argparse.Namespace(command="smoke", store=None)
    assert release_cli.dispatch(args) == 1
    assert capsys.readouterr().err == "careervp-ci smoke: smoke dev failed\n"


def test_doing_names_the_step_and_keeps_the_error_itself() -> None:
    with pytest.raises(StoreError) as raised, doing("could not store the approval", LedgerError, StoreError):
        raise StoreError("s3://bucket/approvals: AccessDenied")
    assert str(raised.value) == "could not store the approval: s3://bucket/approvals: AccessDenied"
    assert raised.value.exit_code == 1


def test_doing_lets_other_errors_pass_untouched() -> None:
    with pytest.raises(ReleaseRefused, match=r"^bad$"), doing("storing", StoreError):
        raise ReleaseRefused("bad")
