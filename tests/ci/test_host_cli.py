"""`careervp-ci` keeps the release commands without importing them on every call."""

from __future__ import annotations

from careervp_ci import cli, release_cli


def test_release_command_names_match_the_release_module() -> None:
    assert cli.RELEASE_COMMANDS == release_cli.COMMANDS


def test_release_commands_are_registered_only_when_asked_for() -> None:
    _, without = cli.build_parser(with_release=False)
    parser, with_release = cli.build_parser(with_release=True)
    assert without == with_release
    assert parser.parse_args(["ledger"]).command == "ledger"
