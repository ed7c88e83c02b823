"""Change-aware selection: the paths changed since a git ref decide which steps and which phases run.

The rules are the strategy's event filters:
- code, infrastructure, workflows, the API contract, the plan, the pipeline, tests, and the dependency pins
  (`src/backend/**`, `infra/**`, `.github/**`, `docs/specs/**`, `plan.md`, `ci/**`, `tests/**`,
  `pyproject.toml`, `uv.lock`, `package.json`, `package-lock.json`, `Makefile`, `dagger.json`) run the
  full bar;
- a change touching only documentation (`**/*.md` anywhere, `docs/**`, except `docs/specs/**` and
  `plan.md`, which are contracts) runs only the docs-level checks (`format`, `docs`);
- any other path is treated as code (the full bar): when in doubt, check;
- some steps guard one area and run only when it changes (`STEP_TRIGGERS`): `pipeline-tests` runs when the
  pipeline itself (ci/, .github/, Makefile, dagger.json, the lockfiles, tests/ci) changes;
- a phase runs when a changed path is one of its own (`careervp_ci.pipeline.phases`, `Phase.paths`).

pr-validate.yml's `changes` job sorts a pull request with the same rules before any container starts: its
paths-filter is `PR_FILTERS`, and tests/ci/pipeline/test_change_selection.py holds the workflow to it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from types import MappingProxyType

from careervp_ci.errors import UsageError
from careervp_ci.pipeline import phases

FULL_BAR = (
    "src/backend/**",
    "infra/**",
    ".github/**",
    "docs/specs/**",
    "plan.md",
    "ci/**",
    "tests/**",
    "pyproject.toml",
    "uv.lock",
    "package.json",
    "package-lock.json",
    "Makefile",
    "dagger.json",
)
DOCS = ("*.md", "**/*.md", "docs/**")
CONTRACTS: Mapping[str, str] = MappingProxyType({"specs": "docs/specs/**", "plan": "plan.md"})
"""Documents that are contracts (the API spec, the plan), each by the name of its filter in pr-validate.yml:
a change to one runs the full bar."""
CONTRACT_DOCS = tuple(CONTRACTS.values())
DOCS_LEVEL = ("format", "docs")
"""What a documentation-only change runs: the format check and the docs' own check (format and links)."""

PR_FILTERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "code": ("**", *(f"!{pattern}" for pattern in DOCS)),
        **{name: (doc,) for name, doc in CONTRACTS.items()},
    }
)
"""pr-validate.yml's paths-filter (`predicate-quantifier: every`): `code` is any path that is not
documentation, and each contract document is a filter of its own; any of them true runs the full bar."""

PIPELINE_PATHS = (
    "ci/**",
    ".github/**",
    "Makefile",
    "dagger.json",
    "uv.lock",
    "ci/uv.lock",
    "package-lock.json",
    "tests/ci/**",
)
"""What the pipeline is made of: a change here must run the pipeline's own tests."""

STEP_TRIGGERS: Mapping[str, tuple[str, ...]] = MappingProxyType({"pipeline-tests": PIPELINE_PATHS})
"""Steps that guard one area: the full bar includes them only when a changed path is in that area."""


class RefError(UsageError):
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


def is_docs_only(path: str) -> bool:
    """Whether a change to `path` is documentation the full bar need not look at."""
    return _matches(path, CONTRACT_DOCS) is None and _matches(path, DOCS) is not None


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


def _guarded(steps: Sequence[str], paths: Sequence[str]) -> tuple[tuple[str, ...], dict[str, str]]:
    """The full bar's steps, less the area-guarded ones whose area did not change (with the reason)."""
    kept, skipped = [], {}
    for step in steps:
        area = STEP_TRIGGERS.get(step)
        if area is None:
            kept.append(step)
            continue
        hit = next(((path, pattern) for path in paths if (pattern := _matches(path, area))), None)
        if hit:
            kept.append(step)
        else:
            skipped[step] = f"no change in its area ({', '.join(area)})"
    return tuple(kept), skipped


def select(steps: Sequence[str], paths: Sequence[str], ref: str) -> Selection:
    """Which of `steps` the changed `paths` call for, and why each other step is skipped."""
    if not paths:
        reason = f"nothing changed since {ref}"
        return Selection((), {step: reason for step in steps}, reason)
    code = [path for path in paths if not is_docs_only(path)]
    known = next(((path, pattern) for path in code if (pattern := _matches(path, FULL_BAR))), None)
    if code:
        kept, skipped = _guarded(steps, paths)
        if known:
            return Selection(kept, skipped, f"full bar: {known[0]} matches {known[1]}")
        return Selection(kept, skipped, f"full bar: {code[0]} is not documentation (when in doubt, check)")
    kept = tuple(step for step in steps if step in DOCS_LEVEL)
    reason = f"documentation-only change ({', '.join(paths[:3])}{', ...' if len(paths) > 3 else ''})"
    skipped = {step: f"{reason}: only docs-level checks run" for step in steps if step not in kept}
    return Selection(kept, skipped, f"{reason}: docs-level checks only")


def touched(paths: Iterable[str]) -> list[tuple[phases.Phase, str]]:
    """The phases whose own paths a change touches, each with the first path that touched it."""
    changed = list(paths)
    hits = []
    for candidate in phases.PHASES.values():
        hit = next((path for path in changed if _matches(path, candidate.paths)), None)
        if hit is not None:
            hits.append((candidate, hit))
    return hits
