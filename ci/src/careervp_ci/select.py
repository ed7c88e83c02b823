"""Change-aware selection: the paths changed since a git ref decide which steps run.

The rules are the workflows' path filters:
- code, infrastructure, workflows, the API contract, the pipeline, tests, and the dependency pins
  (`src/backend/**`, `infra/**`, `.github/workflows/**`, `docs/specs/**`, `ci/**`, `tests/**`,
  `pyproject.toml`, `uv.lock`, `package.json`, `package-lock.json`) run the full bar;
- a change touching only documentation (`*.md`, `docs/**` outside `docs/specs/`) runs only the
  format-level checks;
- any other path is treated as code (the full bar): when in doubt, check.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

FULL_BAR = (
    "src/backend/**",
    "infra/**",
    ".github/workflows/**",
    "docs/specs/**",
    "ci/**",
    "tests/**",
    "pyproject.toml",
    "uv.lock",
    "package.json",
    "package-lock.json",
)
DOCS = ("*.md", "**/*.md", "docs/**")
FORMAT_LEVEL = ("format",)


class RefError(ValueError):
    """The ref cannot be resolved in this repository (exit 2)."""


@dataclass(frozen=True)
class Selection:
    steps: tuple[str, ...]
    skipped: dict[str, str]
    reason: str


def _matches(path: str, patterns: Sequence[str]) -> str | None:
    return next(
        (p for p in patterns if fnmatchcase(path, p) or fnmatchcase(path, p.removesuffix("/**"))), None
    )


def changed_paths(src: Path, ref: str) -> list[str]:
    """Paths changed since `ref`: committed, staged, unstaged, and untracked (not ignored)."""
    resolved = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=src,
        capture_output=True,
        text=True,
        check=False,
    )
    if resolved.returncode != 0:
        raise RefError(
            f"--changed-from: git cannot resolve {ref!r} to a commit in {src} (fetch it, or pass a valid ref)"
        )
    diff = subprocess.run(
        ["git", "diff", "--name-only", resolved.stdout.strip()],
        cwd=src,
        capture_output=True,
        text=True,
        check=True,
    )
    untracked = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=src,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted({*diff.stdout.split("\n"), *untracked.stdout.split("\n")} - {""})


def select(steps: Sequence[str], paths: Sequence[str], ref: str) -> Selection:
    """Which of `steps` the changed `paths` call for, and why each other step is skipped."""
    if not paths:
        reason = f"nothing changed since {ref}"
        return Selection((), {step: reason for step in steps}, reason)
    for path in paths:
        if pattern := _matches(path, FULL_BAR):
            return Selection(tuple(steps), {}, f"full bar: {path} matches {pattern}")
    code = [path for path in paths if not _matches(path, DOCS)]
    if code:
        return Selection(tuple(steps), {}, f"full bar: {code[0]} is not documentation (when in doubt, check)")
    kept = tuple(step for step in steps if step in FORMAT_LEVEL)
    reason = f"documentation-only change ({', '.join(paths[:3])}{', ...' if len(paths) > 3 else ''})"
    skipped = {step: f"{reason}: only format-level checks run" for step in steps if step not in kept}
    return Selection(kept, skipped, f"{reason}: format-level checks only")
