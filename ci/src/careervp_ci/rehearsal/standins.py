"""The one table of stand-ins for the `uses:` steps a rehearsal meets (no GitHub, no registry, no AWS here).

Each stand-in does locally what the action does on GitHub, checks the inputs the action would check, and fails
loudly where the action would fail. Before it runs, the step's `with:` goes through the action's facts at the
pinned SHA (`facts`, `actions.json`): a key the action does not have, a required input missing, or a pin
nobody has read stops the step; the defaults are the action's own. An action missing from this table stops the
rehearsal, naming it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from careervp_ci.rehearsal import matchers
from careervp_ci.rehearsal.artifacts import download, upload
from careervp_ci.rehearsal.changes import labeler, paths_filter
from careervp_ci.rehearsal.checkout import checkout
from careervp_ci.rehearsal.context import Job, Run, StepFailed
from careervp_ci.rehearsal.facts import Action, InputError, pinned

__all__ = ["STAND_INS", "Job", "Run", "StepFailed", "stand_in"]

REGION = re.compile(r"[a-z0-9-]+")
EMULATOR_ACCOUNT = "123456789012"
"""The account id moto answers GetCallerIdentity with."""


def _dagger(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    """Installs the CLI only (no call, args, shell or check): the rehearsal's `dagger` is already on PATH."""
    if inputs["call"] or inputs["args"] or inputs["shell"] or inputs["check"] or inputs["verb"] != "call":
        raise StepFailed(
            "dagger-for-github running dagger itself is not rehearsed: call dagger in a `run:` line"
        )
    wanted = inputs["version"].removeprefix("v")
    if wanted != run.engine_version:
        raise StepFailed(
            f"dagger-for-github installs Dagger {inputs['version']!r}, but dagger.json pins the engine "
            f"v{run.engine_version}: keep them equal"
        )


def _aws_credentials(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    """OIDC into the role the workflow names; the emulator's credentials stand in for the role's."""
    region, role = inputs["aws-region"], inputs["role-to-assume"]
    if not region:
        raise StepFailed(
            "configure-aws-credentials: Input required and not supplied: aws-region (is vars.AWS_REGION set?)"
        )
    if not REGION.fullmatch(region):
        raise StepFailed(f"configure-aws-credentials: Region is not valid: {region!r}")
    if inputs["aws-access-key-id"] or inputs["web-identity-token-file"] or inputs["role-chaining"]:
        raise StepFailed("configure-aws-credentials: only OIDC (role-to-assume) is rehearsed")
    job.env.update({"AWS_REGION": region, "AWS_DEFAULT_REGION": region})
    if not role:
        raise StepFailed(
            "configure-aws-credentials: role-to-assume is empty (is the environment's secret set?), "
            "and a hosted runner has no other credentials"
        )
    if not job.grants("id-token", "write"):
        raise StepFailed(
            "configure-aws-credentials assumes a role by OIDC: the job needs `permissions: id-token: write`"
        )
    credentials = {**run.emulator_credentials, "AWS_SESSION_TOKEN": "rehearsal-session-token"}
    job.env.update(credentials)
    job.outputs["aws-account-id"] = EMULATOR_ACCOUNT
    if inputs["output-credentials"].lower() == "true":
        for variable, value in credentials.items():
            job.outputs[variable.lower().replace("_", "-")] = value


def _attest(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    if not job.grants("id-token", "write") or not job.grants("attestations", "write"):
        raise StepFailed("attest-build-provenance needs `id-token: write` and `attestations: write`")
    given = [key for key in ("subject-path", "subject-digest", "subject-checksums") if inputs[key]]
    if given != ["subject-path"]:
        raise StepFailed(f"attest-build-provenance: give exactly subject-path (rehearsed), not {given}")
    paths = [field.strip() for row in csv.reader(inputs["subject-path"].splitlines()) for field in row]
    files = matchers.glob(job.workspace, [path for path in paths if path], {}).files
    if not files:
        raise StepFailed(
            f"attest-build-provenance: Could not find subject at path {inputs['subject-path']!r}"
        )
    with run.attestations.open("a", encoding="utf-8") as stream:
        for file in files:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            stream.write(json.dumps({"sha256": digest, "workflow": job.workflow, "ref": run.ref}) + "\n")


def _sarif(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    """The files code scanning would take; runs that share a category must come from different tools."""
    if not job.grants("security-events", "write"):
        raise StepFailed("upload-sarif needs `permissions: security-events: write`")
    path = job.workspace / inputs["sarif_file"]
    if not path.exists():
        raise StepFailed(f"upload-sarif: Path does not exist: {inputs['sarif_file']}")
    files = sorted(path.rglob("*.sarif")) if path.is_dir() else [path]
    scanning = [file for file in files if not file.name.endswith(".quality.sarif")]
    if path.is_dir() and not files:
        raise StepFailed(f"upload-sarif: No SARIF files found to upload in {inputs['sarif_file']!r}")
    seen: dict[str, str] = {}
    for file in scanning:
        for entry in json.loads(file.read_text(encoding="utf-8")).get("runs", []):
            driver = (entry.get("tool") or {}).get("driver") or {}
            keys = ("name", "fullName", "version", "semanticVersion", "guid")
            key = json.dumps(
                [driver.get(k) for k in keys] + [(entry.get("automationDetails") or {}).get("id")]
            )
            if key in seen:
                raise StepFailed(
                    f"upload-sarif: {file.name} and {seen[key]} hold runs of the same tool "
                    f"({driver.get('name')!r}) in one category: the action does not support uploading "
                    "multiple SARIF runs with the same category"
                )
            seen[key] = file.name


def _codecov(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    """No upload from here: the report must exist and, when errors fail the step, a token must be given."""
    failing = inputs["fail_ci_if_error"] == "true"
    missing = [name for name in inputs["files"].split(",") if not (job.workspace / name.strip()).is_file()]
    if failing and (missing or not inputs["files"]):
        raise StepFailed(f"codecov-action: no coverage report at {missing or inputs['files']!r}")
    if failing and not inputs["token"] and not job.env.get("CODECOV_TOKEN"):
        raise StepFailed("codecov-action: no token (is CODECOV_TOKEN passed to the reusable workflow?)")


StandIn = Callable[[Run, Job, Action, Mapping[str, str]], None]
STAND_INS: dict[str, StandIn] = {
    "actions/checkout": checkout,
    "dagger/dagger-for-github": _dagger,
    "aws-actions/configure-aws-credentials": _aws_credentials,
    "actions/upload-artifact": upload,
    "actions/download-artifact": download,
    "actions/attest-build-provenance": _attest,
    "github/codeql-action/upload-sarif": _sarif,
    "dorny/paths-filter": paths_filter,
    "codecov/codecov-action": _codecov,
    "actions/labeler": labeler,
}
"""action (without @version) -> what it does here. checkout: a fetch of the rehearsed repository as the action
fetches; dagger: the rehearsal's `dagger` (already on PATH); configure-aws-credentials: the emulator's
credentials; artifacts: a folder per run; attest: a recorded sha256 that `gh attestation verify` checks;
paths-filter and labeler: the diff, matched by the actions' own libraries; codecov: the report and the token
are there (nothing is uploaded)."""


def stand_in(uses: str) -> Callable[[Run, Job, Mapping[str, Any]], None]:
    """The step for `uses:`: its `with:` checked against the pinned action's facts, then its stand-in."""
    name = uses.split("@", 1)[0]
    if name not in STAND_INS:
        raise StepFailed(f"`uses: {uses}` has no stand-in in careervp_ci.rehearsal.standins; add one")

    def step(run: Run, job: Job, given: Mapping[str, Any]) -> None:
        try:
            action = pinned(uses)
            inputs = action.resolve(given, {**run.github, "workspace": str(job.workspace)})
            STAND_INS[name](run, job, action, inputs)
        except (InputError, matchers.MatcherFailed) as error:
            raise StepFailed(str(error)) from error

    return step
