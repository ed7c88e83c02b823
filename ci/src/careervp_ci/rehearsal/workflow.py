"""Rehearse a GitHub workflow here: its jobs in `needs` order, its `run:` lines in bash, unchanged.

`dagger` and `gh` on PATH are the rehearsal's (`dagger_cli`, `gh_cli`); `uses:` steps go through the one table
of stand-ins (`standins`); `${{ }}` is evaluated as the runner would (`expressions`). State crosses jobs only
as on GitHub: job outputs, artifacts, attestations, the artifact store and the AWS emulator. Reading an output
that no earlier job set, a secret or variable nobody configured, or an input the workflow does not declare
stops the rehearsal with the workflow, job and expression named. A job that fails is recorded with its verdict
and the jobs after it run as GitHub would run them (`always()`, `!cancelled()`); the run then fails on the
first failure its scenario did not plant (`may_fail`). The repository's own composite actions run step by step
(`composite`), a matrix job leg by leg (`github.matrix`); files, triggers, `needs` and reusable workflows are
read through the one model of the workflows (`github.workflows`).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from careervp_ci.github import matrix, workflows
from careervp_ci.github.workflows import Workflow
from careervp_ci.rehearsal import composite
from careervp_ci.rehearsal.expressions import ExpressionError, Status, condition, interpolate, text_of
from careervp_ci.rehearsal.runner_env import default_variables
from careervp_ci.rehearsal.standins import Job, Run, StepFailed, stand_in

TAIL = 40


class RehearsalFailed(Exception):
    """A job failed: the message names the workflow, job, step and the step's last output."""


@dataclass(frozen=True)
class Event:
    name: str
    """`push`, `pull_request`, `workflow_dispatch`, `schedule`."""
    inputs: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Settings:
    """What the repository's settings hold: secrets per environment, variables, and the shims' environment."""

    secrets: Mapping[str, str]
    variables: Mapping[str, str]
    shim_env: Mapping[str, str]
    log: Path


@dataclass
class WorkflowRun:
    """One run of one workflow file (or of a reusable workflow it calls)."""

    root: Path
    """The repository whose .github/workflows are rehearsed."""
    name: str
    run: Run
    event: Event
    settings: Settings
    inputs: dict[str, Any] = field(default_factory=dict)
    may_fail: frozenset[str] = frozenset()
    """Jobs whose failure the scenario expects (a planted outage): the run goes on, as on GitHub."""
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def execute(self) -> dict[str, dict[str, Any]]:
        """Every job, as GitHub would run them after a failure too; then the first unexpected failure."""
        self.run_jobs()
        for job, result in self.results.items():
            if result["result"] == "failure" and _top(job) not in self.may_fail:
                raise RehearsalFailed(result["error"])
        return self.results

    def run_jobs(self) -> dict[str, dict[str, Any]]:
        """Every job in `needs` order; a failed job is recorded with its verdict (`error`), not raised. A file
        the runner would refuse raises `WorkflowError`."""
        workflow = workflows.load(self.root / workflows.WORKFLOWS / f"{self.name}.yml")
        self._check_inputs(workflow)
        document = workflow.document
        for name in workflow.ordered():
            spec = workflow.jobs[name].spec
            try:
                legs = matrix.legs(name, spec)
            except matrix.MatrixError as error:
                raise RehearsalFailed(f"{self.name}.yml: {error}") from error
            if legs is None:
                self.results[name] = self._job(name, spec, document)
            else:
                self.results[name] = self._legs(name, spec, document, legs)
        return self.results

    def _legs(
        self, name: str, spec: Mapping[str, Any], document: Mapping[str, Any], legs: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Each leg of a matrix job in order (recorded as `job (values)`), then the job's folded result."""
        verdicts: list[str] = []
        errors: list[str] = []
        for leg in legs:
            self.leg = leg
            result: dict[str, Any] = {"result": "cancelled", "outputs": {}}
            if not (matrix.fail_fast(spec) and "failure" in verdicts):
                result = self._job(name, spec, document)
            self.results[matrix.label(name, leg)] = result
            verdicts.append(result["result"])
            errors += [result["error"]] if result["result"] == "failure" else []
        self.leg = {}
        return {"result": matrix.folded(verdicts), "outputs": {}, **({"error": errors[0]} if errors else {})}

    def _check_inputs(self, workflow: Workflow) -> None:
        trigger = "workflow_call" if self.event.name == "workflow_call" else "workflow_dispatch"
        declared = workflow.inputs(trigger)
        for name in self.inputs:
            if name not in declared:
                raise RehearsalFailed(
                    f"{self.name}: input {name!r} is not declared under on.{trigger}.inputs"
                )
        if self.event.name not in ("workflow_call", "workflow_dispatch"):
            # Another event carries no inputs: declared ones read as null, as on GitHub.
            self.inputs.update(dict.fromkeys(declared))
            return
        for name, spec in declared.items():
            if name not in self.inputs:
                if spec.get("required") and "default" not in spec:
                    raise RehearsalFailed(f"{self.name}: required input {name!r} not given")
                self.inputs[name] = spec.get("default", "")

    # --- contexts ---------------------------------------------------------------------------------------

    def _lookup(
        self, job: str, needs: Sequence[str], env: Mapping[str, str], steps: Mapping[str, Any]
    ) -> Any:
        def lookup(path: Sequence[str]) -> Any:
            head, rest = path[0], list(path[1:])
            where = f"{self.name}.yml, job {job!r}"
            if head == "needs":
                if not rest or rest[0] not in needs:
                    raise ExpressionError(f"{where} reads needs.{'.'.join(rest)} but does not need that job")
                result = self.results[rest[0]]
                if rest[1:2] == ["result"]:
                    return result["result"]
                if rest[1:2] == ["outputs"] and len(rest) == 3:
                    value = result["outputs"].get(rest[2])
                    if result["result"] == "success" and not value:
                        raise ExpressionError(
                            f"{where} reads needs.{rest[0]}.outputs.{rest[2]}, "
                            f"which job {rest[0]!r} never set"
                        )
                    return value or ""
            if head == "steps" and len(rest) == 3 and rest[1] == "outputs":
                if rest[0] not in steps:
                    raise ExpressionError(f"{where} reads steps.{rest[0]}, which has not run (or has no id)")
                return steps[rest[0]]["outputs"].get(rest[2], "")
            if head == "steps" and len(rest) == 2 and rest[1] in ("outcome", "conclusion"):
                return steps.get(rest[0], {}).get(rest[1], "skipped")
            tables: dict[str, Mapping[str, Any]] = {
                "secrets": self.settings.secrets,
                "vars": self.settings.variables,
                "inputs": self.inputs,
                "env": env,
                "matrix": self.leg,
            }
            if head in tables and len(rest) == 1:
                if rest[0] not in tables[head]:
                    raise ExpressionError(
                        f"{where} reads {head}.{rest[0]}, which is not set for this rehearsal"
                    )
                return tables[head][rest[0]]
            if head == "github":
                return _dig(self._github(), rest, where)
            raise ExpressionError(f"{where}: context {'.'.join(path)} is not rehearsed")

        return lookup

    def _github(self) -> dict[str, Any]:
        return {
            "event_name": self.event.name if self.event.name != "workflow_call" else self.run_event,
            "ref": self.run.ref,
            "ref_name": self.run.ref.rsplit("/", 1)[-1],
            "sha": self.run.sha,
            # In a called workflow, the caller's file, as GitHub sets it for reusable workflows.
            "workflow_ref": f"{self.run.github['repository']}/{workflows.WORKFLOWS}/"
            f"{self.caller or self.name}.yml@{self.run.ref}",
            **self.run.github,
            "event": self._event_payload(),
        }

    def _event_payload(self) -> dict[str, Any]:
        """The webhook payload's parts the workflows read; a pull request's only on pull_request events."""
        event = self.event.name if self.event.name != "workflow_call" else self.run_event
        if event != "pull_request":
            return {}
        return {
            "pull_request": {
                "number": 7,
                "head": {"repo": {"fork": False}},
                "base": {"sha": self.run.base_sha},
            }
        }

    leg: dict[str, Any] = field(default_factory=dict)
    """The `matrix` context of the leg running now (empty outside a matrix job)."""
    run_event: str = ""
    """The event of the workflow that called this one (for `github.event_name` in a called workflow)."""
    caller: str = ""
    """The workflow that called this one: the report names the run by it."""
    job_prefix: str = ""

    # --- jobs -------------------------------------------------------------------------------------------

    def _job(self, name: str, spec: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
        job = workflows.Job(name, spec)
        needs = job.needs
        need_results = [self.results[need]["result"] for need in needs]
        status = Status(
            failed="failure" in need_results,
            cancelled="cancelled" in need_results,
            incomplete=any(result != "success" for result in need_results),
        )
        env = {**(document.get("env") or {})}
        lookup = self._lookup(name, needs, env, {})
        try:
            runs = condition(job.condition, lookup, status)
        except ExpressionError as error:
            raise RehearsalFailed(str(error)) from error
        if not runs:
            return {"result": "skipped", "outputs": {}}
        if "uses" in spec:
            return self._call(job, lookup)
        try:
            return self._steps(name, spec, document, needs)
        except RehearsalFailed as error:
            return {"result": "failure", "outputs": {}, "error": str(error)}

    def _call(self, job: workflows.Job, lookup: Any) -> dict[str, Any]:
        name, spec, target = job.id, job.spec, job.calls
        if target is None:
            raise RehearsalFailed(
                f"{self.name}.yml, job {name!r}: `uses: {spec['uses']}` is not a reusable workflow of this "
                "repository ($/.github/workflows/<file>.yml or ./.github/workflows/<file>.yml)"
            )
        inputs = {key: interpolate(value, lookup) for key, value in (spec.get("with") or {}).items()}
        passed = {key: text_of(value, lookup) for key, value in (spec.get("secrets") or {}).items()}
        if spec.get("secrets") == "inherit":
            passed = dict(self.settings.secrets)
        settings = replace(self.settings, secrets=passed)
        called = WorkflowRun(self.root, Path(target).stem, self.run, Event("workflow_call"), settings, inputs)
        called.run_event = self.event.name if self.event.name != "workflow_call" else self.run_event
        called.caller = self.caller or self.name
        called.job_prefix = f"{self.job_prefix}{name} / "
        results = called.run_jobs()
        failed = [result["error"] for result in results.values() if result["result"] == "failure"]
        for inner, result in results.items():
            self.results[f"{name} / {inner}"] = result
        if failed:
            return {"result": "failure", "outputs": {}, "error": failed[0]}
        return {"result": "success", "outputs": {}}

    def _steps(
        self, name: str, spec: Mapping[str, Any], document: Mapping[str, Any], needs: Sequence[str]
    ) -> dict[str, Any]:
        environment = text_of(spec.get("environment", ""), self._lookup(name, needs, {}, {}))
        if isinstance(spec.get("environment"), dict):
            environment = str(spec["environment"].get("name", ""))
        workspace = Path(tempfile.mkdtemp(prefix=f"job-{name}-", dir=self.settings.log.parent))
        permissions = spec.get("permissions") or {}
        job = Job(self.name, name, workspace / "repo", {}, permissions, environment)
        job.workspace.mkdir()
        (workspace / "temp").mkdir()
        files = {
            key: workspace / key.lower() for key in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV")
        }
        steps: dict[str, Any] = {}
        failed: str | None = None
        also_failed: list[str] = []
        for index, step in enumerate(spec.get("steps") or []):
            label = step.get("name") or step.get("uses") or f"step {index + 1}"
            env = {**(document.get("env") or {}), **job.env}
            lookup = self._lookup(name, needs, env, steps)
            try:
                env.update({k: text_of(v, lookup) for k, v in (spec.get("env") or {}).items()})
                lookup = self._lookup(name, needs, env, steps)
                if not condition(step.get("if", "success()"), lookup, Status(failed=failed is not None)):
                    continue
                env.update({k: text_of(v, lookup) for k, v in (step.get("env") or {}).items()})
                lookup = self._lookup(name, needs, env, steps)
                outputs = self._step(job, step=step, env=env, lookup=lookup, files=files, label=label)
                if "id" in step:
                    steps[step["id"]] = {"outputs": outputs, "outcome": "success", "conclusion": "success"}
            except (StepFailed, ExpressionError, RehearsalFailed) as error:
                message = f"{self.name}.yml, job {name!r}, step {label!r}: {error}"
                self._log(message)
                tolerated = (
                    condition(step.get("continue-on-error", False), lookup, Status(failed=False)) is True
                )
                if tolerated:  # the step shows failed, the job goes on
                    self._log(f"(continue-on-error: the job goes on after {label!r})")
                elif failed is None:  # the verdict names the step that broke, not what ran after it
                    failed = message
                else:
                    also_failed.append(label)
                if "id" in step:
                    steps[step["id"]] = {
                        "outputs": {},
                        "outcome": "failure",
                        "conclusion": "success" if tolerated else "failure",
                    }
        if failed:
            after = f"\n(after it, these failed too: {', '.join(also_failed)})" if also_failed else ""
            raise RehearsalFailed(failed + after)
        job_lookup = self._lookup(name, needs, {}, steps)
        job_outputs = {k: text_of(v, job_lookup) for k, v in (spec.get("outputs") or {}).items()}
        return {"result": "success", "outputs": job_outputs, "environment": environment}

    def _step(
        self,
        job: Job,
        *,
        step: Mapping[str, Any],
        env: dict[str, str],
        lookup: Any,
        files: Mapping[str, Path],
        label: str,
    ) -> dict[str, str]:
        if composite.is_local(str(step.get("uses", ""))):
            return self._composite(job, step=step, env=env, lookup=lookup, files=files, label=label)
        if "uses" in step:
            inputs = {k: interpolate(v, lookup) for k, v in (step.get("with") or {}).items()}
            job.outputs = {}
            stand_in(str(step["uses"]))(self.run, job, inputs)
            self._log(f"[{self.name} / {job.name}] {label}: stand-in for {step['uses']}")
            return dict(job.outputs)
        script = text_of(str(step["run"]), lookup)
        for path in files.values():
            path.write_text("", encoding="utf-8")
        variables = {
            **self.settings.shim_env,
            **env,
            **{key: str(path) for key, path in files.items()},
            "CAREERVP_REHEARSAL_WORKFLOW": self.caller or self.name,
            "CAREERVP_REHEARSAL_JOB": self.job_prefix + job.name,
            **default_variables(
                self._github(), job=job.name, workspace=job.workspace, temp=job.workspace.parent / "temp"
            ),
        }
        self._log(f"[{self.name} / {job.name}] {label}: {script.strip().splitlines()[0]}")
        output = files["GITHUB_STEP_SUMMARY"].with_name("step.log")
        with output.open("w", encoding="utf-8") as log:
            done = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=job.workspace,
                env=variables,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        text = output.read_text(encoding="utf-8", errors="replace")
        with self.settings.log.open("a", encoding="utf-8") as log:
            log.write(f"--- {self.name} / {job.name} / {label}\n{text}")
        if done.returncode != 0:
            tail = "\n".join(text.rstrip().splitlines()[-TAIL:])
            raise StepFailed(f"exit {done.returncode}\n--- last lines ---\n{tail}")
        job.env.update(_key_values(files["GITHUB_ENV"]))
        return _key_values(files["GITHUB_OUTPUT"])

    def _composite(
        self,
        job: Job,
        *,
        step: Mapping[str, Any],
        env: dict[str, str],
        lookup: Any,
        files: Mapping[str, Path],
        label: str,
    ) -> dict[str, str]:
        """A local composite action: its steps in order, with its inputs; the first failure is the step's."""
        action = composite.load(
            str(step["uses"]), workspace=job.workspace, repo=self.run.repo, sha=self.run.sha
        )
        given = {key: interpolate(value, lookup) for key, value in (step.get("with") or {}).items()}
        inputs = action.inputs(given, lambda default: text_of(default, lookup))
        steps: dict[str, Any] = {}
        failed: Exception | None = None
        for index, inner in enumerate(action.steps):
            inner_label = f"{label} / {inner.get('name') or inner.get('uses') or f'step {index + 1}'}"
            inner_env = dict(env)
            inner_lookup = composite.lookup(action, inputs, inner_env, steps, lookup)
            if not condition(inner.get("if", "success()"), inner_lookup, Status(failed=failed is not None)):
                continue
            inner_env.update({k: text_of(v, inner_lookup) for k, v in (inner.get("env") or {}).items()})
            inner_lookup = composite.lookup(action, inputs, inner_env, steps, lookup)
            try:
                outputs = self._step(
                    job, step=inner, env=inner_env, lookup=inner_lookup, files=files, label=inner_label
                )
                outcome = "success"
            except (StepFailed, ExpressionError) as error:
                failed = failed or StepFailed(f"{inner_label}: {error}")
                outputs, outcome = {}, "failure"
            if "id" in inner:
                steps[inner["id"]] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}
        if failed is not None:
            raise failed
        final = composite.lookup(action, inputs, env, steps, lookup)
        return {key: text_of(spec.get("value", ""), final) for key, spec in action.outputs.items()}

    def _log(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)


def _top(job: str) -> str:
    """The workflow's own job a result belongs to: `call / inner` and `job (leg)` name their job."""
    return job.split(" / ", 1)[0].split(" (", 1)[0]


def _dig(value: Any, path: Sequence[str], where: str) -> Any:
    """A `github.*` value; inside the event payload a missing property is null, as on GitHub."""
    for depth, key in enumerate(path):
        if not isinstance(value, dict) or key not in value:
            if path[0] == "event" and depth > 0:
                return None
            raise ExpressionError(f"{where}: github.{'.'.join(path)} is not rehearsed")
        value = value[key]
    return value


def _key_values(path: Path) -> dict[str, str]:
    """`name=value` lines (and `name<<EOF` blocks) as GITHUB_OUTPUT and GITHUB_ENV hold them."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and "=" not in line.split("<<", 1)[0]:
            key, marker = line.split("<<", 1)
            end = lines.index(marker, index + 1)
            values[key] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        key, _, value = line.partition("=")
        if key:
            values[key] = value
        index += 1
    return values


def shim_bin(folder: Path) -> Path:
    """`dagger` and `gh` scripts that run the rehearsal's commands with this interpreter."""
    folder.mkdir(parents=True, exist_ok=True)
    for command, module in (("dagger", "dagger_cli"), ("gh", "gh_cli")):
        script = folder / command
        python = shlex.quote(sys.executable)
        script.write_text(
            f'#!/bin/sh\nexec {python} -m careervp_ci.rehearsal.{module} "$@"\n', encoding="utf-8"
        )
        script.chmod(0o755)
    return folder


def base_env(shims: Path) -> dict[str, str]:
    """A runner's environment: PATH with the shims first, HOME, locale, and this machine's CA settings."""
    kept = ("HOME", "LANG", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "GIT_SSL_CAINFO")
    env = {key: os.environ[key] for key in kept if key in os.environ}
    env["PATH"] = os.pathsep.join([str(shims), os.environ.get("PATH", "")])
    return env
