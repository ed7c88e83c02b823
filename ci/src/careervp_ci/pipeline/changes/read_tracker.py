"""A pytest plugin recording, per test, the tree files it read: the record `pipeline-tests` selects by.

    CAREERVP_READS_ROOT=TREE pytest -p careervp_ci.pipeline.changes.read_tracker --reads-out DIR ...

Each test process writes `DIR/reads-<worker>.json`. A read counts for whatever was running when it happened:
a test (its setup, call and teardown), a fixture (then for every test using it: a module-scoped fixture is
set up inside its first test only), the import of a test module (for all of its tests), or, outside all of
those (start-up, conftest files), every test. What a test executes of modules its process imported earlier
is coverage's to record, not this plugin's (`careervp_ci.pipeline.changes.reads`). The Python processes a
test starts record into the same context (`reads_hook`: the variables, the hook folder on PYTHONPATH); a
start the record cannot follow makes the test opaque. The hook is installed when the plugin is imported,
before any conftest, so the variable names the tree then; an xdist controller, which runs no test, records
nothing.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from careervp_ci.pipeline.changes.reads_hook import LOG_ENV, OUT_OPTION, ROOT_ENV, Reads, parse


@dataclass
class _Context:
    """What was read while one test, fixture or module import ran; its processes log into `folder`."""

    folder: Path
    read: set[str] = field(default_factory=set)
    opaque: list[str] = field(default_factory=list)

    @property
    def log(self) -> str:
        return str(self.folder / "log")

    def collect(self) -> tuple[set[str], list[str]]:
        """Its own reads plus those its processes logged (a process may still be appending)."""
        read, opaque = set(self.read), list(self.opaque)
        for logged in self.folder.iterdir():
            with logged.open(encoding="utf-8") as stream:
                more, why = parse(stream)
            read |= more
            opaque += why
        return read, opaque


class ReadTracker:
    """One per test process, recording from the moment the plugin is imported."""

    def __init__(self, root: str) -> None:
        self.logs = Path(tempfile.mkdtemp(prefix="careervp-reads-"))
        self.active = True
        self.made = 0
        self.session = self._new("session")
        self.stack = [self.session]
        self.fixtures: dict[int, _Context] = {}
        self.modules: dict[str, _Context] = {}
        self.tests: dict[str, dict[str, list[str]]] = {}
        self.reads = Reads(root, None, self._line)
        sys.addaudithook(self._event)

    def start(self) -> None:
        """From here on, the processes tests start record too (an xdist controller never starts)."""
        self._activate(self.stack[-1])

    def stop(self) -> None:
        self.active = False

    def _event(self, name: str, args: tuple[object, ...]) -> None:
        if self.active:
            self.reads.event(name, args)

    def _line(self, line: str) -> None:
        read, opaque = parse([line])
        self.stack[-1].read |= read
        self.stack[-1].opaque += opaque

    def _new(self, kind: str) -> _Context:
        self.made += 1
        folder = self.logs / f"{self.made}-{kind}"
        folder.mkdir()
        return _Context(folder)

    def _activate(self, context: _Context) -> None:
        os.environ[LOG_ENV] = context.log
        self.reads.log = context.log
        self.reads.seen = set()  # a file one test read is read again by the next: each context records it

    @contextmanager
    def _within(self, context: _Context) -> Iterator[None]:
        self.stack.append(context)
        self._activate(context)
        try:
            yield
        finally:
            self.stack.pop()
            self._activate(self.stack[-1])

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, Any, Any]:
        if not isinstance(collector, pytest.Module):
            return (yield)
        context = self.modules.setdefault(collector.nodeid, self._new("module"))
        with self._within(context):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, Any]:
        context = self.fixtures.setdefault(id(fixturedef), self._new("fixture"))
        with self._within(context):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, Any, Any]:
        context = self._new("test")
        with self._within(context):
            outcome = yield
        read, opaque = context.collect()
        module = self.modules.get(item.nodeid.split("::", 1)[0])
        for other in [*self._fixtures_of(item), *([module] if module else [])]:
            more, why = other.collect()
            read |= more
            opaque += why
        self.tests[item.nodeid] = {"reads": sorted(read), "opaque": sorted(set(opaque))}
        return outcome

    def _fixtures_of(self, item: pytest.Item) -> list[_Context]:
        info = getattr(item, "_fixtureinfo", None)
        definitions = [d for ds in info.name2fixturedefs.values() for d in ds] if info else []
        return [self.fixtures[id(d)] for d in definitions if id(d) in self.fixtures]

    def write(self, out: Path) -> None:
        read, opaque = self.session.collect()
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        document = {"every_test": {"reads": sorted(read), "opaque": opaque}, "tests": self.tests}
        out.mkdir(parents=True, exist_ok=True)
        (out / f"reads-{worker}.json").write_text(json.dumps(document), encoding="utf-8")


_TRACKER = ReadTracker(os.environ[ROOT_ENV]) if os.environ.get(ROOT_ENV) else None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(OUT_OPTION, help=f"record each test's reads of ${ROOT_ENV} into this folder")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    out = config.getoption(OUT_OPTION)
    if _TRACKER is None:
        if out:
            raise pytest.UsageError(f"{OUT_OPTION} records from start-up: set ${ROOT_ENV} to the tree")
        return
    controller = not hasattr(config, "workerinput") and getattr(config.option, "dist", "no") != "no"
    if not out or controller:
        _TRACKER.stop()
        return
    _TRACKER.start()
    config.pluginmanager.register(_TRACKER, "careervp-read-tracker")
    config.add_cleanup(lambda: _TRACKER.write(Path(out)))
