"""How long each step took the last time it ran here: the executor starts the longest ready step first.

Steps start in plan order when nothing is known. With two workers that order let the short gates take both
and started `pipeline-tests`, the longest, a quarter of the way through an edit's run, so the run waited on
it. The record sits in the result cache's folder (`durations.json`) and holds only steps that ran (a cached
step's time says nothing of its work). It orders starts and never touches a verdict, so a record that does
not read back is said on stderr and replaced.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

FILE = "durations.json"


def load(folder: Path | None) -> dict[str, float]:
    """The recorded seconds per step (empty without a cache or a record)."""
    path = None if folder is None else folder / FILE
    if path is None or not path.is_file():
        return {}
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
        return {str(name): float(seconds) for name, seconds in recorded.items()}
    except (ValueError, TypeError, AttributeError) as error:
        print(f"step durations: {path} does not read back ({error}); starting in plan order", file=sys.stderr)
        return {}


def save(folder: Path | None, before: Mapping[str, float], ran: Iterable[tuple[str, float]]) -> None:
    """`before` with the steps that ran this time updated; written atomically by rename."""
    if folder is None:
        return
    updated = {**before, **{name: round(seconds, 1) for name, seconds in ran}}
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{FILE}.{os.getpid()}"
    staged.write_text(json.dumps(updated, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    staged.replace(folder / FILE)
