"""The release command line is a table: every command registered on the parser has exactly one handler
(a release command or a standalone one), and none is registered twice."""

from __future__ import annotations

import argparse

from careervp_ci.release import cli as release_cli


def registered() -> list[str]:
    parser = argparse.ArgumentParser(prog="careervp-ci")
    subparsers = parser.add_subparsers(dest="command")
    release_cli.register(subparsers)
    return list(subparsers.choices)


def test_every_registered_command_has_one_handler() -> None:
    names = registered()
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(release_cli.COMMANDS)
    assert not set(release_cli.RELEASE_COMMANDS) & set(release_cli.STANDALONE)
