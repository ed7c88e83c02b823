"""Selection for the pipeline's own tests: after a full passing run, a change re-runs only the tests that
read or executed what changed, in their own process or in the Python processes they started.

The map joins two records of that run: coverage with per-test contexts over the product's code
(`impact.MEASURED_ROOTS`, which the pipeline's code also imports in the test process), and
`read_tracker`'s per-test reads of tree files (which covers what the processes a test starts import and
open). A later run skips a recorded test only when every changed path is a test file not its own, a product
module changed inside function bodies (`impact.skeleton_digest`) whose bodies the test never executed, or
any other tree file the test never read. A full run instead when: there is no map; a file was added or
removed; a path the step names always-full changed (dependency pins, project configuration); a test support
file (conftest, tests/support, fixtures) changed; Python outside the product and the tests changed (the
pipeline's own code is imported by every test process, and not measured); a product module's module-level
code changed, or its functions ran at import or in shared fixtures; a changed file was read by every test
(at start-up); or a process started outside every test escaped the record. A test whose record is opaque
(it started a program the record cannot follow) always runs, and so does a test the map does not know.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from careervp_ci.pipeline.changes import impact

PLUGIN = "careervp_ci.pipeline.changes.read_tracker"


def record(  # noqa: PLR0917  (one full run's records, each its own path)
    src: Path,
    coverage: Path,
    reads: Path,
    inputs: Mapping[str, str],
    collected: Sequence[str],
    into: Path,
) -> None:
    """Write the map of a full passing run: its per-test coverage file, the tracker's folder, the tests it
    collected and its input digests."""
    every_read: set[str] = set()
    every_opaque: list[str] = []
    tests: dict[str, Any] = {}
    for recorded in sorted(reads.glob("reads-*.json")):
        document = json.loads(recorded.read_text(encoding="utf-8"))
        every_read |= set(document["every_test"]["reads"])
        every_opaque += document["every_test"]["opaque"]
        tests |= document["tests"]
    impact.write_map(
        {
            "src": str(src),
            "inputs": dict(inputs),
            "executed": impact.executed(src, coverage) if coverage.is_file() else {},
            "every_test": {"reads": sorted(every_read), "opaque": sorted(set(every_opaque))},
            "tests": tests,
            "collected": sorted(collected),
        },
        into,
    )


def select(
    src: Path, inputs: Mapping[str, str], mapped: Path, always_full: Sequence[str]
) -> impact.Selection:
    """Which recorded tests the change since the map cannot reach (none: run the whole suite)."""
    if not (mapped / impact.MAP_FILE).is_file():
        return impact.Selection((), "full run: no read map yet (it is recorded by a full passing run)", ())
    document = json.loads((mapped / impact.MAP_FILE).read_text(encoding="utf-8"))
    if document["src"] != str(src):
        return impact.Selection((), f"full run: the map was recorded for {document['src']}, not {src}", ())
    before: dict[str, str] = document["inputs"]
    changed = tuple(sorted(p for p in {*before, *inputs} if before.get(p) != inputs.get(p)))
    if not changed:
        return impact.Selection(
            (), "full run: no input changed since the map (the result cache had no pass)", ()
        )
    for path in changed:
        if why := _needs_full_run(src, path, before, inputs, document, always_full):
            return impact.Selection((), f"full run: {why}", changed)
    touched = set(changed)
    executed: dict[str, dict[str, object]] = document["executed"]
    reached = {t for path in changed if path in executed for t in impact.tests_of(executed[path])}
    tests: dict[str, dict[str, list[str]]] = document["tests"]
    kept = {
        test
        for test, entry in tests.items()
        if entry["opaque"]
        or touched & set(entry["reads"])
        or test.split("::", 1)[0] in touched
        or test in reached
    }
    deselect = tuple(sorted(set(tests) - kept))
    skipped = set(deselect)
    files = {t.split("::", 1)[0] for t in document["collected"] if t not in skipped}
    files |= {p for p in changed if impact.is_test_file(p)}
    opaque = sum(1 for test in kept if tests[test]["opaque"])
    reason = (
        f"{len(changed)} changed file(s) ({', '.join(changed[:3])}{', ...' if len(changed) > 3 else ''}): "
        f"skipped {len(deselect)} recorded test(s) that neither read nor executed them "
        f"({opaque} opaque test(s) always run)"
    )
    return impact.Selection(deselect, reason, changed, tuple(sorted(f for f in files if (src / f).is_file())))


def _needs_full_run(  # noqa: PLR0917
    src: Path,
    path: str,
    before: Mapping[str, str],
    inputs: Mapping[str, str],
    document: Mapping[str, Any],
    always_full: Sequence[str],
) -> str | None:
    """Why a change to `path` may reach tests the map cannot name (None: the map's tests suffice)."""
    if path not in before or path not in inputs:
        return f"{path} was added or removed"
    if any(fnmatchcase(path, pattern) for pattern in always_full):
        return f"{path} changed (a dependency pin or the project's configuration)"
    escaped: list[str] = document["every_test"]["opaque"]
    if escaped:
        return f"a process started outside every test escaped the record: {escaped[0]}"
    if path in document["every_test"]["reads"]:
        return f"{path} is read by every test (at start-up or by a conftest)"
    if path.startswith("tests/") and not impact.is_test_file(path):
        return f"{path} changed (test support: conftest, helpers or fixtures reach any test)"
    product = path.startswith(tuple(f"{root}/" for root in impact.MEASURED_ROOTS))
    if path.endswith(".py") and not product and not impact.is_test_file(path):
        return f"{path} changed (Python the test processes import, not measured)"
    entry: Mapping[str, object] | None = document["executed"].get(path)
    if product and path.endswith(".py") and entry is not None:
        if impact.skeleton_digest((src / path).read_text(encoding="utf-8")) != str(entry["skeleton"]):
            return f"module-level code of {path} changed (imports, constants, decorators or signatures)"
        if entry["shared"]:
            return f"functions of {path} run at import or in shared fixtures, reaching tests not calling them"
    return None
