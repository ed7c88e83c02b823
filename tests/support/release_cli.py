"""Release test helpers: `careervp-ci`'s release commands run in-process (capturing what they print and
their exit code), and targets files that put environments on a test's emulator.

In-process (not a subprocess) so a test's monkeypatched environment and its moto server apply directly.
"""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from careervp_ci import release_cli
from careervp_ci.release.targets import load_targets, targets_file


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


def write_emulator_targets(path: Path, endpoint: str, envs: tuple[str, ...]) -> Path:
    """A targets file putting `envs` on one running emulator, each with the real file's gates (approval,
    protection, and the promotion source when that source is among `envs`)."""
    real = load_targets(targets_file())
    blocks = []
    for name in envs:
        gates = real[name]
        lines = [f"[targets.{name}]", 'kind = "emulator"', f'endpoint = "{endpoint}"']
        if gates.promote_from in envs:
            lines.append(f'promote_from = "{gates.promote_from}"')
        lines += [
            f"requires_approval = {str(gates.requires_approval).lower()}",
            f"protected = {str(gates.protected).lower()}",
        ]
        blocks.append("\n".join(lines))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path
