"""Masking what a release learns from AWS in GitHub Actions logs: the account id and every CloudFormation
output (API URL, table and bucket names) become `***` in the log from the moment they are known.

GitHub reads `::add-mask::VALUE` workflow commands from a step's output; printed anywhere else they would be
noise, so nothing is printed unless `GITHUB_ACTIONS=true`. Each value is announced once per process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TextIO

MIN_LENGTH = 4
"""Shorter values (a "1", "true") would blank out unrelated text all over the log: never masked."""

_announced: set[str] = set()


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def mask(values: Iterable[str], stream: TextIO | None = None) -> list[str]:
    """Announce each value (each line of a multi-line one) to GitHub's log masking; returns what was
    announced now. Outside GitHub Actions, nothing."""
    if not in_github_actions():
        return []
    out = stream or sys.stdout
    announced = []
    for value in values:
        for line in str(value).splitlines():
            token = line.strip()
            if len(token) < MIN_LENGTH or token in _announced:
                continue
            _announced.add(token)
            announced.append(token)
            print(f"::add-mask::{token}", file=out, flush=True)
    return announced
