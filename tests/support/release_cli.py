"""Release test helpers: `careervp-ci`'s release commands run in-process (capturing what they print and
their exit code) or as real processes in fresh clones, and targets files that put environments on a test's
emulator.

In-process, a test's monkeypatched environment applies directly; as a process (`run_cli`), only what the
test passes in the environment does, as on a fresh runner.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from careervp_ci.release import cli as release_cli
from careervp_ci.release.artifact import parse_digest
from careervp_ci.release.store import object_name, provenance_name

REPO = Path(__file__).resolve().parents[2]


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
    """A targets file putting `envs` on one running emulator; their gates stay the registry's."""
    blocks = [f'[targets.{name}]\nendpoint = "{endpoint}"' for name in envs]
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Built:
    """HEAD built by `careervp-ci build` in a fresh clone, kept in the clone's own `.careervp`."""

    clone: Path
    digest: str
    commit: str

    @property
    def tar(self) -> Path:
        return self.clone / ".careervp" / "artifacts" / object_name(parse_digest(self.digest))

    @property
    def provenance(self) -> Path:
        """The provenance statement the build kept beside the artifact."""
        return self.tar.with_name(provenance_name(parse_digest(self.digest)))

    def place(self, store: Path) -> None:
        """Put the artifact and its provenance into the folder store `store`, as `publish` does."""
        store.mkdir(parents=True, exist_ok=True)
        for path in (self.tar, self.provenance):
            shutil.copyfile(path, store / path.name)


CLI = Path(sys.executable).parent / "careervp-ci"
"""The real entry point, run as its own process (what a person or a CI job runs)."""
SHARED_STATE = ("CAREERVP_STATE_DIR", "CAREERVP_ARTIFACT_STORE", "CAREERVP_TARGETS", "AWS_ENDPOINT_URL_S3")


def fresh_clone(repo: Path, dest: Path, commit: str = "") -> Path:
    """A fresh `git clone` of `repo` at `dest`, on `commit` (default: HEAD); nothing of the source's
    working tree or state comes along. Pass the commit when clones must match: others commit meanwhile."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "--quiet", "--local", str(repo), str(dest)], check=True)
    if commit:
        subprocess.run(["git", "-C", str(dest), "checkout", "--quiet", "--detach", commit], check=True)
    return dest


def process_env(**settings: str) -> dict[str, str]:
    """This process's environment without any release state of the host, plus `settings`."""
    base = {name: value for name, value in os.environ.items() if name not in SHARED_STATE}
    return {**base, **settings}


def run_cli(cwd: Path, env: dict[str, str], *args: str, timeout: float = 600) -> Result:
    """`careervp-ci ARGS` as a subprocess in `cwd` (a clone), with exactly `env`."""
    done = subprocess.run(
        [str(CLI), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    return Result(done.returncode, done.stdout, done.stderr)
