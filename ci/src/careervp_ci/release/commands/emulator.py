"""`emulator`: run the AWS emulator (moto) in the foreground, for targets with `endpoint = ...`."""

from __future__ import annotations

import argparse

from careervp_ci.release.commands.options import Subparsers
from careervp_ci.release.emulator import serve_forever


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "emulator", help="run the AWS emulator (moto) in the foreground, for targets with endpoint=..."
    )
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1 (0: any free port)")


def main(args: argparse.Namespace) -> int:
    return serve_forever(args.port)
