"""Content-addressed results for the host executor.

A step's key is the sha256 of: its definition (declaration, and the source of the code that runs it and of
every pipeline module that code imports), its keyed option values, the pinned versions of its tools (uv.lock /
package-lock.json), the interpreter, the bytes of every file its input globs match (sorted paths), facts it
declares outside the tree (`key_extra`), and the keys of the steps it needs. Only passes are stored, with the
step's report folder and declared outputs, which a hit restores. Keys depend on content only, so switching
branches back and forth hits; a failure, an unverified result or a non-cacheable step is never stored.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import modulefinder
import os
import re
import shutil
import sys
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from glob import translate
from pathlib import Path
from typing import Any

from careervp_ci.errors import CareervpError
from careervp_ci.pipeline.lockfiles import locked_versions
from careervp_ci.pipeline.steps.frontend import DIST
from careervp_ci.pipeline.steps.model import Step
from careervp_ci.pipeline.steps.synth import ASSEMBLY

CACHE_ENV = "CAREERVP_CACHE_DIR"
FROM_CACHE_ONLY = "--from-cache-only"
"""`ci`'s flag that takes verified passes from the caches and runs no step: a Dagger job's probe of the
store (`careervp_ci.dagger_module.result_store`)."""
DEFAULT_CACHE_DIR = ".careervp/cache"
PIPELINE_PACKAGE = "careervp_ci"
PRUNED_DIRS = frozenset(
    {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    | {".careervp", ".reports", "cdk.out", ".tools", ".hypothesis"}
)
PRODUCTS = frozenset({DIST, ASSEMBLY})
"""What steps write into the tree (their declared `outputs`): never an input. A step reads another's product
through that step's key (its needs), so a scan of the whole tree keys the same whether or not a build
running beside it has finished."""
_WILDCARD = re.compile(r"[*?\[]")
_IMPORT_WALK = threading.Lock()
"""One import walk at a time: each of modulefinder's lookups clears the interpreter's shared finder cache
(`PathFinder.invalidate_caches`), and two threads clearing it at once race to delete the same entry
(KeyError)."""


def cache_root(src: Path) -> Path:
    """`$CAREERVP_CACHE_DIR`, or `.careervp/cache` in the source tree."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured).expanduser() if configured else src / DEFAULT_CACHE_DIR


def input_files(src: Path, patterns: Iterable[str]) -> list[str]:
    """Sorted tree-relative paths matching the globs, never descending into tool or cache folders."""
    found: set[str] = set()
    for pattern in patterns:
        parts = pattern.split("/")
        literal = [
            part
            for part in parts[: next((i for i, p in enumerate(parts) if _WILDCARD.search(p)), len(parts))]
        ]
        base = src.joinpath(*literal)
        if len(literal) == len(parts):
            if base.is_file():
                found.add(pattern)
            continue
        matcher = re.compile(translate(pattern, recursive=True, include_hidden=True))
        for folder, dirs, files in os.walk(base):
            relative_folder = Path(folder).relative_to(src).as_posix()
            dirs[:] = [d for d in dirs if d not in PRUNED_DIRS and not _is_product(relative_folder, d)]
            for name in files:
                relative = name if relative_folder == "." else f"{relative_folder}/{name}"
                if matcher.match(relative):
                    found.add(relative)
    return sorted(found)


def _is_product(folder: str, name: str) -> bool:
    return (name if folder == "." else f"{folder}/{name}") in PRODUCTS


class _ImportsWithin(modulefinder.ModuleFinder):
    """The stdlib's import walker, confined to one package: other packages are pinned by the lockfiles."""

    def __init__(self, package: str) -> None:
        super().__init__()
        self._package = package

    def import_module(self, partname: str, fqname: str, parent: Any) -> Any:
        inside = fqname == self._package or fqname.startswith(f"{self._package}.")
        return super().import_module(partname, fqname, parent) if inside else None


def code_digests(source: Path, package: str) -> dict[str, str]:
    """sha256 of a module's source and of every module of `package` it imports, however indirectly: a step
    whose helper's helper changed must not be served the old verdict."""
    finder = _ImportsWithin(package)
    with _IMPORT_WALK:
        finder.load_file(str(source))
    files = {name: getattr(found, "__file__", None) for name, found in finder.modules.items()}
    return {
        name: hashlib.sha256(Path(file).read_bytes()).hexdigest()
        for name, file in sorted(files.items())
        if isinstance(file, str)
    }


@cache
def _pipeline_code(module: str) -> dict[str, str]:
    """The code digests of the module a step runs from (already imported: the step was built from it)."""
    source = inspect.getsourcefile(sys.modules[module])
    if source is None:
        raise CareervpError(f"step code in {module} has no source file to key its results by")
    return code_digests(Path(source), PIPELINE_PACKAGE)


def _declaration(step: Step) -> dict[str, Any]:
    return {
        "name": step.name,
        "inputs": step.inputs,
        "needs": step.needs,
        "tools": step.tools,
        "options": [(o.name, o.default, o.choices, o.keyed) for o in step.options],
    }


class FileDigests:
    """sha256 of each file, computed once per run however many steps read it."""

    def __init__(self, src: Path) -> None:
        self._src = src
        self._digests: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, relative: str) -> str:
        with self._lock:
            known = self._digests.get(relative)
        if known is None:
            known = hashlib.sha256((self._src / relative).read_bytes()).hexdigest()
            with self._lock:
                self._digests[relative] = known
        return known


def key_material(
    step: Step,
    src: Path,
    options: Mapping[str, str | None],
    needed_keys: Mapping[str, str],
    digests: FileDigests,
) -> str:
    """Everything one step's verdict depends on, as canonical JSON: its sha256 is the step's key, and a
    stored entry keeps it so a hit can be checked against the inputs it is about to stand for."""
    keyed = {o.name for o in step.options if o.keyed}
    versions = locked_versions(src)
    material = {
        "declaration": _declaration(step),
        "code": _pipeline_code(step.run.__module__),
        "options": sorted(
            (name, value) for name, value in options.items() if name in keyed and value is not None
        ),
        "tools": {tool: versions.get(tool, "unlocked") for tool in step.tools},
        "python": sys.version,
        "inputs": [(path, digests(path)) for path in input_files(src, step.inputs)],
        "extra": step.key_extra(src, options) if step.key_extra else "",
        "needs": sorted(needed_keys.items()),
    }
    return json.dumps(material, sort_keys=True, default=str)


def material_key(material: str) -> str:
    return hashlib.sha256(material.encode()).hexdigest()


def step_key(
    step: Step,
    src: Path,
    options: Mapping[str, str | None],
    needed_keys: Mapping[str, str],
    digests: FileDigests,
) -> str:
    """The content address of one step's result."""
    return material_key(key_material(step, src, options, needed_keys, digests))


@dataclass(frozen=True)
class CachedPass:
    """A stored pass: its message and notes, and where its report files are kept."""

    key: str
    message: str
    notes: tuple[str, ...]
    reports: Path


MATERIAL_FILE = "material.json"
OUTCOME_FILE = "outcome.json"


def entry_matches(entry: Path, key: str, material: str | None) -> bool:
    """Whether the entry was stored for exactly this key material (every input's digest, tool versions,
    code): a hit is trusted only then, so no planted or stale entry can stand in for changed inputs."""
    stored = entry / MATERIAL_FILE
    if material is None:
        return (entry / OUTCOME_FILE).is_file()
    if not stored.is_file() or not (entry / OUTCOME_FILE).is_file():
        return False
    text = stored.read_text(encoding="utf-8")
    return text == material and material_key(text) == key


class ResultCache:
    """Passes stored under `<root>/<key>/` (outcome.json, material.json, reports/, outputs/); written
    atomically by rename. An entry whose material does not match the lookup's is removed, never used."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def lookup(self, key: str, material: str | None = None) -> CachedPass | None:
        entry = self.root / key
        if not entry.is_dir():
            return None
        if not entry_matches(entry, key, material):
            shutil.rmtree(entry, ignore_errors=True)
            return None
        outcome = json.loads((entry / OUTCOME_FILE).read_text(encoding="utf-8"))
        return CachedPass(key, outcome["message"], tuple(outcome["notes"]), entry / "reports")

    def store(
        self,
        key: str,
        message: str,
        notes: Iterable[str],
        report_dir: Path,
        outputs: Mapping[str, Path],
        *,
        material: str | None = None,
    ) -> Path:
        """Keep a pass with copies of its reports and outputs; returns its entry folder. Concurrent
        writers of one key are harmless."""
        if (self.root / key).exists():
            return self.root / key
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".tmp-{uuid.uuid4().hex}"
        if report_dir.is_dir():
            shutil.copytree(report_dir, staging / "reports")
        else:
            (staging / "reports").mkdir(parents=True)
        for name, folder in outputs.items():
            if folder.is_dir():
                shutil.copytree(folder, staging / "outputs" / name)
        outcome = {"message": message, "notes": list(notes)}
        (staging / OUTCOME_FILE).write_text(json.dumps(outcome, indent=2), encoding="utf-8")
        if material is not None:
            (staging / MATERIAL_FILE).write_text(material, encoding="utf-8")
        try:
            staging.rename(self.root / key)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
        return self.root / key

    @staticmethod
    def restore(hit: CachedPass, report_dir: Path, outputs: Mapping[str, Path]) -> None:
        """Put the stored reports and outputs back where the step would have written them."""
        shutil.rmtree(report_dir, ignore_errors=True)
        shutil.copytree(hit.reports, report_dir)
        for name, folder in outputs.items():
            stored = hit.reports.parent / "outputs" / name
            if stored.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
                shutil.copytree(stored, folder)
