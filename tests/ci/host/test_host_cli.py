"""`careervp-ci` serves pipeline commands without importing the release module, and still knows every
release command."""

from __future__ import annotations

from careervp_ci.host import cli
from careervp_ci.release import cli as release_cli


def test_pipeline_commands_do_not_register_release_commands_but_help_does() -> None:
    _, pipeline_only = cli.build_parser(with_release=False)
    parser, everything = cli.build_parser(with_release=True)
    assert set(pipeline_only) == {*cli.PIPELINE_COMMANDS, "serve"}
    assert set(everything) == {*cli.PIPELINE_COMMANDS, "serve", "rehearse", *release_cli.COMMANDS}
    assert parser.parse_args(["ledger"]).command == "ledger"


def test_no_release_command_shares_a_name_with_a_pipeline_command() -> None:
    assert not set(release_cli.COMMANDS) & set(cli.PIPELINE_COMMANDS)
