"""The repository's GitHub workflows as the runner reads them, in one place: a file's triggers, its jobs
with their `needs` and conditions, the order they may run in, and the reusable workflows they call.
Settings-as-code (`github.settings`) holds the checks GitHub will report against it; the rehearsal
(`rehearsal.workflow`) runs it. Each GitHub rule below names the file of github.com/actions/runner
(src/Sdk/WorkflowParser/ unless said) that holds it; where this model reads less than the runner,
docs/dagger.md's "What still differs" says so.
"""

from __future__ import annotations

import graphlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careervp_ci.errors import UsageError

WORKFLOWS = Path(".github/workflows")
SELF_REFERENCES = ("$/.github/workflows/", "./.github/workflows/")
"""A reusable workflow of the same repository at the same commit: the self-repository form (`$/`,
DTPipelines/Pipelines/PipelineConstants.cs SelfRepositoryPrefix, which zizmor asks for) or the
workspace-relative one (`./`, Conversion/ReusableWorkflowsLoader.cs FullyQualifyWorkflowRef)."""


class WorkflowError(UsageError):
    """A workflow file the runner would refuse: the message names the file and the job."""


@dataclass(frozen=True)
class Job:
    id: str
    spec: Mapping[str, Any]

    @property
    def name(self) -> str:
        """The name GitHub shows (`name:`, else the job's id)."""
        return str(self.spec.get("name", self.id))

    @property
    def needs(self) -> tuple[str, ...]:
        needs = self.spec.get("needs") or ()
        return (needs,) if isinstance(needs, str) else tuple(needs)

    @property
    def condition(self) -> str:
        """The job's `if:`; none is `success()` (Conversion/WorkflowTemplateConverter.cs
        ConvertToIfCondition; its `success() && (...)` around a condition without a status function is
        applied by `rehearsal.expressions.condition`, for jobs and steps alike)."""
        return str(self.spec.get("if", "")).strip() or "success()"

    @property
    def always_reports(self) -> bool:
        """Whether the job reports on every run: it needs nothing and has no `if:`, or it says always()."""
        if "always()" in self.condition.replace(" ", ""):
            return True
        return not str(self.spec.get("if", "")).strip() and not self.needs

    @property
    def calls(self) -> str | None:
        """The path in the repository of the reusable workflow the job calls (None: the job runs steps, or
        calls another repository's workflow)."""
        uses = str(self.spec.get("uses", ""))
        if not uses.startswith(SELF_REFERENCES):
            return None
        return uses.split("/", 1)[1]


@dataclass(frozen=True)
class Workflow:
    path: Path
    document: Mapping[str, Any]
    on: Mapping[str, Any]
    """The triggers, each with its settings (a bare event or a list of events: no settings)."""
    jobs: Mapping[str, Job]

    @property
    def name(self) -> str:
        return self.path.stem

    def inputs(self, trigger: str) -> Mapping[str, Any]:
        """The inputs `trigger` (workflow_dispatch, workflow_call) declares."""
        return (self.on.get(trigger) or {}).get("inputs") or {}

    def ordered(self) -> list[str]:
        """The jobs in waves the runner would start together (a job once all it needs has finished), each wave
        in file order; a cycle or an unknown need is refused in the runner's words (Conversion/
        WorkflowTemplateConverter.cs ConvertToJobs, which checks the graph with a queue of ready jobs)."""
        for job in self.jobs.values():
            for need in job.needs:
                if need not in self.jobs:
                    raise WorkflowError(f"{self.path.name}: job '{job.id}' depends on unknown job '{need}'")
        graph = graphlib.TopologicalSorter({job.id: job.needs for job in self.jobs.values()})
        try:
            graph.prepare()
        except graphlib.CycleError as error:
            trail = " -> ".join(reversed(error.args[1]))
            raise WorkflowError(
                f"{self.path.name}: jobs form a cycle in the dependency graph: {trail}"
            ) from error
        order: list[str] = []
        while graph.is_active():
            ready = sorted(graph.get_ready(), key=list(self.jobs).index)
            order += ready
            graph.done(*ready)
        return order


def triggers(document: Mapping[Any, Any]) -> dict[str, Any]:
    """`on:` as a mapping of event to its settings; YAML 1.1 (PyYAML) reads the bare key `on` as True."""
    raw = document.get("on", document.get(True)) or {}
    if isinstance(raw, str):
        return {raw: {}}
    if isinstance(raw, list):
        return {str(event): {} for event in raw}
    return {str(event): (value or {}) for event, value in dict(raw).items()}


def load(path: Path) -> Workflow:
    """One workflow file; anything without a `jobs:` mapping is refused, naming the file."""
    # Imported here: the step catalogue (which reaches this module through the workflows step) loads in the
    # Dagger module runtime, which has no PyYAML. PyYAML ships no stubs.
    import yaml  # type: ignore[import-untyped]  # noqa: PLC0415

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkflowError(f"{path}: no such workflow") from None
    except yaml.YAMLError as error:
        raise WorkflowError(f"{path}: not YAML ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("jobs"), dict):
        raise WorkflowError(f"{path.name}: not a workflow (no jobs)")
    jobs = {str(job_id): Job(str(job_id), spec or {}) for job_id, spec in document["jobs"].items()}
    return Workflow(path, document, triggers(document), jobs)


def every(src: Path) -> list[Workflow]:
    """Every workflow of the tree at `src`, by file name."""
    return [load(path) for path in sorted((src / WORKFLOWS).glob("*.y*ml"))]


def called(src: Path, job: Job) -> Workflow | None:
    """The reusable workflow of this repository that `job` calls, read from the tree at `src`."""
    target = job.calls
    return None if target is None else load(src / target)
