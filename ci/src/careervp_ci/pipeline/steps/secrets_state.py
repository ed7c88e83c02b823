"""What the secret scan must read again: the files changed since its last scan, with that scan's per-file
findings kept for the rest.

detect-secrets scans each file on its own (its plugins and filters see one file's lines and name), so the
findings of an unchanged file are the ones its last scan gave: a scan of the changed files, merged with the
kept findings of the others, is the full scan's report. The files are the ones `--all-files` would scan
(every file under the tree, by its real path, not matching the exclusion), each with the sha256 of its bytes.
The kept findings belong to one configuration (the scan's command and exclusion, detect-secrets' version, the
baseline's bytes): when it changes, the next scan is a full one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_FILE = "scanned.json"


@dataclass(frozen=True)
class Plan:
    """The files to scan (None: the whole tree) and why, with the findings kept for every other file."""

    scan: tuple[str, ...] | None
    reason: str
    kept: Mapping[str, list[dict[str, Any]]]


def tree_files(src: Path, excluded: str) -> dict[str, str]:
    """Each file `detect-secrets scan --all-files --exclude-files EXCLUDED .` reads, with its sha256; folders
    whose every file the exclusion matches are not entered."""
    pattern = re.compile(excluded)
    root = os.path.realpath(src)
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        relative_folder = os.path.relpath(folder, root)
        prefix = "" if relative_folder == "." else relative_folder + "/"
        dirs[:] = [d for d in dirs if not pattern.search(f"{prefix}{d}/")]
        for name in files:
            real = Path(folder, name).resolve()
            relative = os.path.relpath(real, root)
            if relative.startswith("..") or pattern.search(relative) or not real.is_file():
                continue
            with real.open("rb") as handle:
                found[relative] = hashlib.file_digest(handle, "sha256").hexdigest()
    return found


def configuration(scan: Sequence[str], tool_version: str, baseline: Path) -> str:
    """The digest of everything besides a file's bytes that decides its findings (and the verdict)."""
    baseline_bytes = baseline.read_bytes() if baseline.is_file() else b""
    material = {
        "scan": list(scan),
        "detect-secrets": tool_version,
        "baseline": hashlib.sha256(baseline_bytes).hexdigest(),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def plan(state: Path | None, config: str, files: Mapping[str, str], most: int = 500) -> Plan:
    """Scan the changed files when the last scan's state holds for this configuration; else the tree."""
    if state is None or not state.is_file():
        return Plan(None, "full scan: no earlier scan of this tree", {})
    document = json.loads(state.read_text(encoding="utf-8"))
    if document.get("config") != config:
        return Plan(None, "full scan: the baseline, the scan's configuration or detect-secrets changed", {})
    known: dict[str, dict[str, Any]] = document["files"]
    changed = sorted(path for path, digest in files.items() if known.get(path, {}).get("digest") != digest)
    if len(changed) > most:
        return Plan(None, f"full scan: {len(changed)} files changed since the last scan", {})
    kept = {path: known[path]["results"] for path in files if path not in changed and known[path]["results"]}
    listing = ", ".join(changed[:3]) + (", ..." if len(changed) > 3 else "")
    reason = f"scanned the {len(changed)} file(s) changed since the last scan ({listing or 'none'})"
    return Plan(tuple(changed), reason, kept)


def save(state: Path, config: str, files: Mapping[str, str], results: Mapping[str, Any]) -> None:
    """Keep this scan's findings per file, for the next scan (written whole, then renamed into place)."""
    document = {
        "config": config,
        "files": {
            path: {"digest": digest, "results": results.get(path, [])} for path, digest in files.items()
        },
    }
    state.parent.mkdir(parents=True, exist_ok=True)
    staging = state.with_suffix(".new")
    staging.write_text(json.dumps(document), encoding="utf-8")
    staging.replace(state)
