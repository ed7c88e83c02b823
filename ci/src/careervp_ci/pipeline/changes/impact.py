"""Test-impact selection: after a full passing run, a changed backend module re-runs only the tests that
executed it; anything that could make that map wrong runs the whole suite.

The map is recorded from a full run's coverage with per-test contexts (pytest-cov `--cov-context=test`)
over the first-party sources (`src/backend`, `infra`): for each source file, the tests that executed it, a
digest of its module-level code, and whether its functions also ran outside a test's own context (at
import, or in a fixture that several tests share). It is kept with that run's coverage data and the digest
of every input, under the step's state folder, and only a full pass replaces it.

A later run compares its inputs with the map's. It skips a test only when every change is inside the
bodies of functions in files the map knows, and the test executed none of those files. A full run instead
when: there is no map; a dependency, configuration, fixture, conftest, data or other non-module file
changed; a module was added, removed or had its module-level code changed (imports, constants,
decorators, signatures: what every importer sees); or a changed module's functions ran at import or in a
fixture (their effects reach tests that never execute them). A changed test file's tests always run.
Tests that recorded no first-party coverage (they may reach it through a subprocess) always run.
The coverage data of a partial run is the map's, with the changed files measured afresh.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coverage import CoverageData

MEASURED_ROOTS = ("src/backend", "infra")
"""What the map measures (wider than the floors' `careervp`, so infra and script tests are mapped too)."""
FLOOR_PACKAGE = "src/backend/careervp"
"""What the suite's coverage data keeps for the `coverage` step, exactly as without selection."""
MAP_FILE = "map.json"
DATA_FILE = "baseline.coverage"
_SHARED_PHASES = ("", "setup", "teardown")


@dataclass(frozen=True)
class Selection:
    """Which recorded tests to leave out, and why, in words for the step's notes."""

    deselect: tuple[str, ...]
    reason: str
    changed: tuple[str, ...]
    test_files: tuple[str, ...] = ()
    """The test files holding every test still selected (so pytest imports no other); () = the folder."""

    @property
    def full(self) -> bool:
        return not self.deselect


def skeleton_digest(source: str) -> str:
    """sha256 of the module with every function body and docstring removed: what importers see."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "unparsable:" + hashlib.sha256(source.encode()).hexdigest()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.body = [ast.Pass()]
        elif isinstance(node, ast.Module | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                node.body = node.body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()


def function_body_lines(source: str) -> set[int]:
    """Line numbers inside outermost function bodies (what runs only when the function is called)."""
    lines: set[int] = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return lines
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0].lineno
            lines.update(range(first, (node.end_lineno or first) + 1))
    return lines


def state_dir(root: Path, step: str, options: Mapping[str, str | None]) -> Path:
    """One map per suite and test selection (`-m`, `-k`): a different selection records different tests."""
    chosen = json.dumps(sorted((k, v) for k, v in options.items() if k in ("marker", "keyword") and v))
    return root / "impact" / f"{step}-{hashlib.sha256(chosen.encode()).hexdigest()[:12]}"


def _relative(src: Path, name: str) -> str | None:
    path = Path(name)
    return path.relative_to(src).as_posix() if path.is_relative_to(src) else None


def record(
    src: Path, raw_file: Path, inputs: Mapping[str, str], collected: Sequence[str], into: Path
) -> None:
    """Write the map of a full passing run (its per-test coverage, the tests it collected, its input
    digests) to `into`."""
    document = {"src": str(src), "inputs": dict(inputs), "files": executed(src, raw_file)}
    write_map(document | {"collected": sorted(collected)}, into)


def executed(src: Path, raw_file: Path) -> dict[str, dict[str, object]]:
    """Per measured tree file: the tests that executed it, its skeleton digest, and whether its function
    bodies also ran outside a test's own context (at import, or in a fixture several tests share)."""
    raw = _read(raw_file)
    files: dict[str, dict[str, object]] = {}
    for measured in raw.measured_files():
        relative = _relative(src, measured)
        if relative is None or not Path(measured).is_file():
            continue
        source = Path(measured).read_text(encoding="utf-8")
        bodies = function_body_lines(source)
        tests: set[str] = set()
        shared = False
        for line, contexts in (raw.contexts_by_lineno(measured) or {}).items():
            for context in contexts:
                test, _, phase = context.partition("|")
                if test:
                    tests.add(test)
                shared = shared or (phase in _SHARED_PHASES and line in bodies)
        files[relative] = {"tests": sorted(tests), "skeleton": skeleton_digest(source), "shared": shared}
    return files


def write_map(document: Mapping[str, object], into: Path) -> None:
    """Replace the map folder `into` with one holding `document`, whole or not at all."""
    staging = into.with_name(into.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / MAP_FILE).write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
    shutil.rmtree(into, ignore_errors=True)
    staging.rename(into)


def select(src: Path, inputs: Mapping[str, str], mapped: Path) -> Selection:
    """Which recorded tests the change since the map leaves unaffected (none: run the whole suite)."""
    if not (mapped / MAP_FILE).is_file() or not (mapped / DATA_FILE).is_file():
        return Selection((), "full run: no test-impact map yet (it is recorded by a full passing run)", ())
    document = json.loads((mapped / MAP_FILE).read_text(encoding="utf-8"))
    if document["src"] != str(src):
        return Selection((), f"full run: the map was recorded for {document['src']}, not {src}", ())
    before: dict[str, str] = document["inputs"]
    changed = tuple(sorted(p for p in {*before, *inputs} if before.get(p) != inputs.get(p)))
    if not changed:
        return Selection((), "full run: no input changed since the map (the result cache had no pass)", ())
    collected: list[str] = document.get("collected", [])
    files: dict[str, dict[str, object]] = document["files"]
    sources = [p for p in changed if not is_test_file(p)]
    for path in sources:
        if why := _needs_full_run(src, path, files.get(path)):
            return Selection((), f"full run: {why}", changed)
    touched = set(sources)
    affected: set[str] = {t for p in touched for t in tests_of(files[p])}
    recorded = {t for entry in files.values() for t in tests_of(entry)}
    changed_tests = {p for p in changed if is_test_file(p)}
    deselect = sorted(
        t for t in recorded - affected if t.split("::", 1)[0] not in changed_tests and _is_test_id(t)
    )
    skipped = set(deselect)
    kept_files = sorted(
        path
        for path in {t.split("::", 1)[0] for t in collected if t not in skipped} | changed_tests
        if (src / path).is_file()
    )
    reason = (
        f"{len(changed)} changed file(s) ({_listing(changed)}), modules only inside function bodies: "
        f"skipped {len(deselect)} recorded test(s) that executed none of them"
    )
    return Selection(tuple(deselect), reason, changed, tuple(kept_files))


def tests_of(entry: Mapping[str, object]) -> list[str]:
    tests = entry.get("tests", [])
    return [str(test) for test in tests] if isinstance(tests, list) else []


def _is_test_id(test: str) -> bool:
    return "::" in test


def is_test_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path.startswith("tests/") and name.startswith("test_") and name.endswith(".py")


def _listing(paths: Sequence[str]) -> str:
    return ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")


def _needs_full_run(src: Path, path: str, entry: Mapping[str, object] | None) -> str | None:
    """Why a change to `path` may reach tests the map cannot name (None: the map's tests suffice)."""
    if not path.endswith(".py") or not path.startswith(tuple(f"{root}/" for root in MEASURED_ROOTS)):
        return f"{path} changed (dependency, configuration, fixture, conftest or data: it may reach any test)"
    if entry is None or not (src / path).is_file():
        return f"{path} was added, removed or never ran under the map"
    if skeleton_digest((src / path).read_text(encoding="utf-8")) != entry["skeleton"]:
        return f"module-level code of {path} changed (imports, constants, decorators or signatures)"
    if entry["shared"]:
        return f"functions of {path} run at import or in shared fixtures, reaching tests that never call them"
    if not tests_of(entry):
        return f"no recorded test executes {path}: the whole suite measures it again"
    return None


def _read(path: Path) -> CoverageData:
    from coverage import CoverageData  # noqa: PLC0415  (coverage only in the test steps)

    data = CoverageData(basename=str(path))
    data.read()
    return data


def _copy(source: CoverageData, into: CoverageData, files: Sequence[str]) -> None:
    """Add `files`' measurements (all contexts) from `source` to `into`; other files stay out entirely
    (purging would leave them listed as measured with nothing executed)."""
    if source.has_arcs():
        into.add_arcs({name: source.arcs(name) or [] for name in files})
    else:
        into.add_lines({name: source.lines(name) or [] for name in files})


def merged_data(mapped: Path, fresh: Path, changed: Sequence[str], src: Path, out: Path) -> None:
    """Coverage of a partial run: the map's data, with the changed files measured afresh."""
    from coverage import CoverageData  # noqa: PLC0415

    combined = CoverageData(basename=str(out))
    baseline = _read(mapped / DATA_FILE)
    renewed = {str(src / path) for path in changed}
    _copy(baseline, combined, [name for name in baseline.measured_files() if name not in renewed])
    if fresh.is_file():
        new = _read(fresh)
        _copy(new, combined, sorted(new.measured_files()))
    combined.write()


def floor_data(raw: Path, src: Path, out: Path) -> None:
    """The suite's data for the `coverage` step: only `careervp` (what the floors measure)."""
    from coverage import CoverageData  # noqa: PLC0415

    measured = _read(raw)
    inside = str(src / FLOOR_PACKAGE) + os.sep
    kept = CoverageData(basename=str(out))
    _copy(measured, kept, sorted(name for name in measured.measured_files() if name.startswith(inside)))
    kept.write()


def keep_baseline(data: Path, mapped: Path) -> None:
    """The full run's (floor) coverage data, which partial runs start from."""
    shutil.copyfile(data, mapped / DATA_FILE)
