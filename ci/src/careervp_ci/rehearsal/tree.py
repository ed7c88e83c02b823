"""Directories as the engine uploads them: filtered by `.dockerignore`-style patterns, hashed by content.

Dagger filters a host directory with BuildKit's pattern matcher (moby/patternmatcher): patterns are anchored
at the directory's root, `*` stays within one path segment, `**` spans any number, a trailing `/` is dropped,
a leading `!` re-includes, the last pattern that matches a path or one of its parent folders decides. The same
rules are applied here so a rehearsal uploads exactly what the engine would.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Pattern:
    text: str
    negated: bool
    regex: re.Pattern[str]

    @property
    def has_wildcard(self) -> bool:
        return any(char in self.text for char in "*?[")


@cache
def compile_pattern(raw: str) -> Pattern:
    negated = raw.startswith("!")
    text = os.path.normpath(raw.removeprefix("!").strip()).lstrip("/")
    out, index = "", 0
    while index < len(text):
        char = text[index]
        if text.startswith("**/", index):
            out, index = out + "(?:.*/)?", index + 3
            continue
        if text.startswith("**", index):
            out, index = out + ".*", index + 2
            continue
        out += {"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char) if char != "[" else "[")
        if char == "[":
            end = text.index("]", index)
            out += text[index + 1 : end + 1]
            index = end
        index += 1
    return Pattern(text, negated, re.compile(f"^{out}$"))


def _candidates(path: str) -> list[str]:
    """The path, then each parent folder from the top (a pattern matching a parent matches the path)."""
    parts = path.split("/")
    return [path, *("/".join(parts[: depth + 1]) for depth in range(len(parts) - 1))]


def excluded(path: str, patterns: Sequence[str]) -> bool:
    """Whether moby's matcher excludes `path` (relative, `/`-separated) under `patterns`."""
    matched = False
    for pattern in map(compile_pattern, patterns):
        if pattern.negated != matched:
            continue
        if any(pattern.regex.match(candidate) for candidate in _candidates(path)):
            matched = not pattern.negated
    return matched


def included(path: str, patterns: Sequence[str]) -> bool:
    """An include list keeps a path that one of its patterns (or a parent's) matches."""
    return any(
        compile_pattern(raw).regex.match(candidate) for raw in patterns for candidate in _candidates(path)
    )


def _prunable(folder: str, exclude: Sequence[str]) -> bool:
    """An excluded folder no later `!pattern` could reach into: its walk can stop here."""
    if not excluded(folder, exclude):
        return False
    negations = [compile_pattern(raw) for raw in exclude if raw.startswith("!")]
    return not any(p.has_wildcard or p.text.startswith(folder + "/") for p in negations)


def stage(source: Path, dest: Path, *, exclude: Sequence[str] = (), include: Sequence[str] = ()) -> str:
    """Copy what the filters keep from `source` into `dest`; returns the content digest of what was kept."""
    dest.mkdir(parents=True, exist_ok=True)
    for root, folders, files in os.walk(source, followlinks=False):
        relative_root = os.path.relpath(root, source)
        prefix = "" if relative_root == "." else relative_root.replace(os.sep, "/") + "/"
        folders[:] = sorted(f for f in folders if not _prunable(prefix + f, exclude))
        for name in sorted(files + [f for f in folders if (Path(root) / f).is_symlink()]):
            relative = prefix + name
            if excluded(relative, exclude) or (include and not included(relative, include)):
                continue
            origin, target = Path(root) / name, dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_symlink():
                target.symlink_to(origin.readlink())
                continue
            shutil.copy2(origin, target)
    return tree_digest(dest)


def file_digest(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def tree_digest(root: Path) -> str:
    """The content digest of a folder: paths, executable bits and file hashes (names and times aside)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            digest.update(f"L {relative} {path.readlink()}\n".encode())
        else:
            digest.update(f"F {relative} {int(os.access(path, os.X_OK))} {file_digest(path)}\n".encode())
    return "sha256:" + digest.hexdigest()
