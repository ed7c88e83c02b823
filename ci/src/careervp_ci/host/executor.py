"""The host executor: a Plan's steps as local processes, in parallel, in dependency order, fail-fast.

A step starts once everything it needs has passed (or came from the cache). The first failure stops the
run: running steps are cancelled (shown as stopped) and steps that had not started are reported as never
ran. Each step works in its own report folder; passes are stored in the result cache with that folder, and
a local miss is looked up in the shared results (`$CAREERVP_SHARED_CACHE`) before the step runs. A trusted
run (a writable shared store) publishes every pass it holds: one it ran, and one it found in the local cache
that the store lacks (so a Dagger job can run its step without the store and publish afterwards). With
`cache_only` (`ci --from-cache-only`) no step runs: a verified pass is taken from the caches, and a step with
none is NOT_CACHED, which clears the steps after it for their own lookup.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from careervp_ci.host.cache import CachedPass, FileDigests, ResultCache, key_material, material_key
from careervp_ci.host.progress import Progress
from careervp_ci.host.shared_cache import SharedResults, shared_from_env
from careervp_ci.pipeline.plan import Plan, PlanError
from careervp_ci.pipeline.steps.context import Status, StepCancelled, StepContext, StepOutcome
from careervp_ci.pipeline.steps.model import Step

GOOD = frozenset({Status.PASSED, Status.CACHED})


@dataclass(frozen=True)
class StepResult:
    name: str
    status: Status
    seconds: float
    outcome: StepOutcome
    started_at: float = 0.0
    """Seconds from the run's start to this step's start (the summary's timeline)."""


@dataclass(frozen=True)
class RunResult:
    results: tuple[StepResult, ...]
    skipped: Mapping[str, str]

    def with_status(self, *statuses: Status) -> list[StepResult]:
        return [result for result in self.results if result.status in statuses]


@dataclass
class _RunState:
    """One run's bookkeeping: file digests, the stop signal, each step's cache key, and where each step is."""

    digests: FileDigests
    pending: list[Step]
    began: float = field(default_factory=time.monotonic)
    cancel: threading.Event = field(default_factory=threading.Event)
    keys: dict[str, str] = field(default_factory=dict)
    running: dict[Future[StepResult], Step] = field(default_factory=dict)
    done: dict[str, StepResult] = field(default_factory=dict)


@dataclass
class HostExecutor:
    src: Path
    reports_root: Path
    cache: ResultCache | None
    progress: Progress
    workers: int = os.cpu_count() or 2
    tool_dir: Path = Path(sys.executable).parent
    accepted_unverified: frozenset[str] = frozenset()
    """Steps whose unverified end the caller accepted (`--allow-unverified`): later steps may still start."""
    shared: SharedResults | None = None
    """Results shared through the artifact store (`careervp_ci.host.shared_cache`); read after a local
    miss."""
    cache_only: bool = False
    """Take passes from the caches and run no step: a step without one ends NOT_CACHED."""

    def __post_init__(self) -> None:
        if self.shared is None and self.cache is not None:
            self.shared = shared_from_env(self.cache.root)

    def run(self, plan: Plan) -> RunResult:
        """Run every step of the plan; returns each step's verdict in plan order."""
        if self.workers < 1:
            raise PlanError(f"workers must be at least 1, got {self.workers}")
        self.reports_root.mkdir(parents=True, exist_ok=True)
        state = _RunState(FileDigests(self.src), list(plan.steps))
        self.progress.start([step.name for step in plan.steps])
        try:
            with ThreadPoolExecutor(max_workers=self.workers) as pool:
                self._loop(plan, pool, state)
        finally:
            self.progress.stop()
        ordered = tuple(state.done[step.name] for step in plan.steps)
        return RunResult(ordered, plan.skipped)

    def _loop(self, plan: Plan, pool: ThreadPoolExecutor, state: _RunState) -> None:
        """Start ready steps on free workers until nothing is left; a failure or Ctrl-C stops the rest."""
        pending, running, done = state.pending, state.running, state.done
        try:
            while pending or running:
                free = self.workers - len(running)
                for step in self._ready(plan, pending, done)[:free] if not state.cancel.is_set() else []:
                    pending.remove(step)
                    future = pool.submit(self._execute, plan, step, state)
                    running[future] = step
                self._block_unrunnable(plan, pending, done, state.cancel.is_set())
                if not running:
                    if pending and not self._ready(plan, pending, done):
                        names = ", ".join(step.name for step in pending)
                        raise PlanError(f"steps wait for something outside the plan: {names}")
                    continue
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = future.result()
                    del running[future]
                    done[result.name] = result
                    self.progress.finished(result.name, result.status, result.seconds, result.outcome.message)
                    if result.status is Status.FAILED:
                        state.cancel.set()
        except KeyboardInterrupt:
            state.cancel.set()
            raise

    def _cleared(self, result: StepResult) -> bool:
        """Whether steps waiting on `result` may start: it passed, or its unverified end was accepted, or it
        was not cached (`cache_only`: the steps after it are looked up under their own keys)."""
        return (
            result.status in GOOD
            or result.status is Status.NOT_CACHED
            or (result.status is Status.UNVERIFIED and result.name in self.accepted_unverified)
        )

    def _ready(self, plan: Plan, pending: list[Step], done: Mapping[str, StepResult]) -> list[Step]:
        return [s for s in pending if all(n in done and self._cleared(done[n]) for n in plan.needs(s))]

    def _block_unrunnable(
        self, plan: Plan, pending: list[Step], done: dict[str, StepResult], stopping: bool
    ) -> None:
        """Steps that can no longer start: a need did not pass, or the run is stopping after a failure."""
        changed = True
        while changed:
            changed = False
            for step in list(pending):
                blocked = [n for n in plan.needs(step) if n in done and not self._cleared(done[n])]
                if not blocked and not stopping:
                    continue
                reason = (
                    f"needs {', '.join(blocked)}, which did not pass"
                    if blocked
                    else "the run stopped at the first failing gate"
                )
                pending.remove(step)
                done[step.name] = StepResult(
                    step.name, Status.NEVER_RAN, 0.0, StepOutcome(Status.NEVER_RAN, reason), 0.0
                )
                self.progress.finished(step.name, Status.NEVER_RAN, 0.0, reason)
                changed = True

    def _execute(self, plan: Plan, step: Step, state: _RunState) -> StepResult:
        self.progress.running(step.name)
        started = time.monotonic()
        try:
            outcome = self._outcome(plan, step, state)
        except StepCancelled:
            outcome = StepOutcome(Status.STOPPED, "cancelled: another gate failed")
        except Exception as error:  # a crashing step is a failed step, with its traceback as evidence
            lines = traceback.format_exception(error)[-6:]
            outcome = StepOutcome(
                Status.FAILED,
                f"the step crashed: {type(error).__name__}: {error}",
                details=tuple(line.rstrip() for chunk in lines for line in chunk.splitlines()),
                reproduce=f"uv run careervp-ci {step.name}",
            )
        return StepResult(
            step.name, outcome.status, time.monotonic() - started, outcome, started - state.began
        )

    def _outcome(self, plan: Plan, step: Step, state: _RunState) -> StepOutcome:
        """Key the step, then take its cached pass or run it (storing a pass). Anything raised here, keying
        included, is the step's crash: the run records it and stops, instead of losing it in a worker."""
        options = plan.options.get(step.name, {})
        report_dir = self.reports_root / step.name
        outputs = {name: self.src / name for name in step.outputs}
        needed = {need: state.keys.get(need, "given") for need in step.needs}
        material = key_material(step, self.src, options, needed, state.digests)
        key = material_key(material)
        state.keys[step.name] = key
        # A step fed by given steps has no key for what they left in the tree: it is neither looked up
        # nor stored.
        cacheable = step.cacheable and not set(step.needs) & set(plan.given)
        if cacheable and (hit := self._cached(step, key, material)):
            ResultCache.restore(hit, report_dir, outputs)
            return StepOutcome(Status.CACHED, hit.message, notes=hit.notes)
        if self.cache_only:
            why = "no cached pass" if cacheable else "never cached"
            return StepOutcome(Status.NOT_CACHED, f"{why}; not run (--from-cache-only)")
        shutil.rmtree(report_dir, ignore_errors=True)
        report_dir.mkdir(parents=True)
        ctx = StepContext(
            step.name,
            self.src,
            report_dir,
            options,
            self.tool_dir,
            cancel=state.cancel,
            state_dir=self.cache.root if self.cache else None,
        )
        outcome = step.run(ctx)
        if outcome.status is Status.PASSED and self.cache and cacheable:
            entry = self.cache.store(
                key, outcome.message, outcome.notes, report_dir, outputs, material=material
            )
            if self.shared:
                self.shared.publish(key, entry)
        return outcome

    def _cached(self, step: Step, key: str, material: str) -> CachedPass | None:
        """A verified pass for exactly this material: on disk (published when the store is writable and
        lacks it), else fetched from the shared store."""
        if not (self.cache and step.cacheable):
            return None
        if hit := self.cache.lookup(key, material):
            if self.shared:
                self.shared.publish(key, self.cache.root / key)
            return hit
        if self.shared and self.shared.fetch(key, material, self.cache):
            return self.cache.lookup(key, material)
        return None
