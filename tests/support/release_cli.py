"""Run `careervp-ci`'s release commands in-process, capturing what they print and their exit code.

In-process (not a subprocess) so a test's monkeypatched environment and its moto server apply directly.
"""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

from careervp_ci import release_cli


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def cli(*args: str) -> Result:
    parser = argparse.ArgumentParser(prog="careervp-ci")
    release_cli.register(parser.add_subparsers(dest="command", required=True))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = release_cli.dispatch(parser.parse_args(list(args)))
    return Result(code, out.getvalue(), err.getvalue())
