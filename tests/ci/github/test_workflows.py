"""The GitHub workflows are thin, pinned, least-privilege wrappers around `dagger call`: these tests read
them and pin the rules (triggers, path filters, concurrency, permissions, pins, what a `run:` script
may do)."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; results are cast below
from careervp_ci.github import workflows
from careervp_ci.pipeline.changes.select import DOCS, FULL_BAR, select
from careervp_ci.pipeline.steps.synth import ASSEMBLY
from careervp_ci.rehearsal.call import parse

ROOT = Path(__file__).resolve().parents[3]
WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE_ACTION = ROOT / ".github" / "actions" / "release" / "action.yml"
RELEASE_USES = "$/.github/actions/release"
PREAMBLE = (
    'dagger call release --store "$ARTIFACT_STORE" --aws-access-key-id env:AWS_ACCESS_KEY_ID '
    "--aws-secret-access-key env:AWS_SECRET_ACCESS_KEY --aws-session-token env:AWS_SESSION_TOKEN "
    '--aws-region "$AWS_REGION"'
)
"""What the release action puts before each step's `call`: the store, the credentials and the region."""

SHA_PIN = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+\.\d+\.\d+\s*$")
LOCAL_WORKFLOW = re.compile(r"^\$/\.github/workflows/[\w.-]+\.ya?ml$")
LOCAL_ACTION = re.compile(r"^\$/\.github/actions/[\w-]+$")

SUMMARY = '"$GITHUB_STEP_SUMMARY"'
ALLOWED_RUN = {
    "dagger call": re.compile(rf"^dagger call (?:(?!\$\{{\{{)[^|;&`])+(?: \| tee -a {re.escape(SUMMARY)})?$"),
    "digest output": re.compile(
        r'^echo "artifact=sha256:\$\(sha256sum [\w./-]+ \| cut -d \' \' -f 1\)" >> "\$GITHUB_OUTPUT"$'
    ),
    "attestation check": re.compile(
        r'^gh attestation verify [\w./-]+ --repo "\$GITHUB_REPOSITORY" [^|;&`]+$'
    ),
    "required gate check": re.compile(
        r'^\{ echo "changes=\$CHANGES full=\$FULL docs-only=\$DOCS_ONLY validate=\$VALIDATE"; \} >> '
        + re.escape(SUMMARY)
        + r' test "\$CHANGES" = success if \[ "\$FULL" = true \]; then test "\$VALIDATE" = success; '
        r'else test "\$DOCS_ONLY" = success; fi$'
    ),
    "attested digest check": re.compile(
        r'^test "sha256:\$\(sha256sum [\w./-]+ \| cut -d \' \' -f 1\)" = "\$ARTIFACT"$'
    ),
}
"""Each `run:` script is one of these, or a summary block (`{ echo ...; } >> "$GITHUB_STEP_SUMMARY"`)."""

DAGGER_CORE_CHAIN = {"directory": {"path"}, "file": {"path"}, "export": {"path"}}
"""Core-API calls a `dagger call` may chain after the module function (to export a report or an artifact)."""


@dataclass(frozen=True)
class Workflow:
    path: Path
    data: Mapping[str, Any]
    text: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def triggers(self) -> Mapping[str, Any]:
        return workflows.triggers(self.data)

    @property
    def jobs(self) -> Mapping[str, Mapping[str, Any]]:
        return cast(Mapping[str, Mapping[str, Any]], self.data["jobs"])


def load(path: Path) -> Workflow:
    text = path.read_text(encoding="utf-8")
    return Workflow(path, cast(Mapping[str, Any], yaml.safe_load(text)), text)


def all_workflows() -> list[Workflow]:
    return [load(path) for path in sorted(WORKFLOWS.glob("*.yml"))]


def steps(job: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return cast(list[Mapping[str, Any]], job.get("steps", []))


def script_of(step: Mapping[str, Any]) -> str:
    """What the step runs: its `run:`, or for the release action the line it evals (preamble + call)."""
    if step.get("uses") == RELEASE_USES:
        tee = f" | tee -a {SUMMARY}" if step["with"].get("summary") is True else ""
        return f"{PREAMBLE} {' '.join(str(step['with']['call']).split())}{tee}"
    return str(step.get("run", "")).strip()


def run_scripts(workflow: Workflow) -> Iterator[tuple[str, str]]:
    """(job id, script) for every `run:` step and every release action step (as the line it runs)."""
    for job_id, job in workflow.jobs.items():
        for step in steps(job):
            if "run" in step or step.get("uses") == RELEASE_USES:
                yield job_id, script_of(step)


def is_summary_block(script: str) -> bool:
    """`{ echo "..."; ... } >> "$GITHUB_STEP_SUMMARY"`: text only, no commands, no expressions."""
    lines = [line.strip() for line in script.splitlines()]
    if lines[0] != "{" or lines[-1] != f"}} >> {SUMMARY}":
        return False
    text = r'echo "(?:\\[`"$\\]|[^`"\\$]|\$[A-Za-z_][A-Za-z0-9_]*)*"'
    return all(re.fullmatch(text, line) for line in lines[1:-1])


def run_kind(script: str) -> str | None:
    """Which allowed kind of script this is, or None if the script does something else."""
    if is_summary_block(script):
        return "summary"
    flat = " ".join(script.split())
    return next((kind for kind, pattern in ALLOWED_RUN.items() if pattern.fullmatch(flat)), None)


@dataclass(frozen=True)
class DaggerCall:
    function: str
    flags: frozenset[str]
    chain: tuple[tuple[str, frozenset[str]], ...]


def parse_dagger_call(script: str) -> DaggerCall:
    """A workflow's `dagger call ...` read as the Dagger CLI reads it, from the module's own registry (an
    unknown function or flag fails here): the function reached last, every module flag on the way, and the
    core calls chained after it."""
    line = " ".join(script.split()).split(" | ")[0]
    line = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\+([^}]*)\}", r"\1", line)  # `${X:+words}`: as if X is set
    call = parse(shlex.split(line)[2:])
    flags = frozenset(flag for function in call.functions for flag in function.args)
    chain = tuple((chained.name, frozenset(chained.args)) for chained in call.chain)
    return DaggerCall(call.functions[-1].name, flags, chain)


def dagger_engine_version() -> str:
    """dagger.json's engineVersion without the leading v: the CLI version every workflow installs."""
    config = json.loads((ROOT / "dagger.json").read_text(encoding="utf-8"))
    return str(config["engineVersion"]).removeprefix("v")


def uses_lines(text: str) -> list[str]:
    """Every raw `uses:` line, comments included (the version comment is not in the parsed YAML)."""
    return [line.strip() for line in text.splitlines() if re.match(r"^\s*(?:-\s+)?uses:", line)]


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path-filter glob as the action matches it (picomatch, dot files included): `**` crosses folders,
    `*` stays within one."""
    out = ""
    index = 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            out += "(?:.*/)?"
            index += 3
        elif pattern.startswith("/**", index) and index + 3 == len(pattern):
            out += "(?:/.*)?"
            index += 3
        elif pattern.startswith("**", index):
            out += ".*"
            index += 2
        elif pattern[index] == "*":
            out += "[^/]*"
            index += 1
        else:
            out += re.escape(pattern[index])
            index += 1
    return re.compile(out)


def filter_matches(patterns: list[str], paths: list[str]) -> bool:
    """paths-filter with `predicate-quantifier: every`: some path matches every pattern (`!` negates)."""

    def matches(path: str, pattern: str) -> bool:
        negated = pattern.startswith("!")
        hit = glob_regex(pattern.removeprefix("!")).fullmatch(path) is not None
        return hit != negated

    return any(all(matches(path, pattern) for pattern in patterns) for path in paths)


# ---------------------------------------------------------------------------------------------- the tests

EXPECTED = {
    "_reusable-ci.yml",
    "_codecov.yml",
    "pr-validate.yml",
    "deploy-dev.yml",
    "deploy-stage-prod.yml",
    "nightly-maintenance.yml",
    "hotfix.yml",
    "rollback.yml",
    "gap-remediation.yml",
    "codeql-analysis.yml",
    "scorecard.yml",
    "labeler.yml",
}
OFFICIAL_ACTION_WORKFLOWS = {"codeql-analysis.yml", "scorecard.yml", "labeler.yml"}
"""Their jobs run GitHub's and OpenSSF's own actions (analysis, labels) instead of a Dagger function."""
ROLE_FOR_ENVIRONMENT = {
    "dev": "AWS_ROLE_DEV",
    "staging": "AWS_ROLE_STAGE",
    "prod": "AWS_ROLE_PROD",
    "prod-plan": "AWS_ROLE_PROD_READONLY",
    "gap-remediation": "AWS_ROLE_GAP_SANDBOX",
}
WORKFLOWS_LOADED = all_workflows()


def by_name(name: str) -> Workflow:
    return next(workflow for workflow in WORKFLOWS_LOADED if workflow.name == name)


def job_steps() -> Iterator[tuple[Workflow, str, Mapping[str, Any]]]:
    for workflow in WORKFLOWS_LOADED:
        for job_id, job in workflow.jobs.items():
            yield workflow, job_id, job


def action(step: Mapping[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


def is_call(script: str, function: str) -> bool:
    """Whether the script is a `dagger call` that ends at this module function."""
    return script.lstrip().startswith("dagger call") and parse_dagger_call(script).function == function


RELEASE_FLAGS = frozenset(
    {"store", "aws-access-key-id", "aws-secret-access-key", "aws-session-token", "aws-region"}
)
"""What every release call names once, on `release`."""


def dagger_scripts(job: Mapping[str, Any]) -> list[str]:
    return [script_of(step) for step in steps(job) if script_of(step).startswith("dagger call")]


def test_the_expected_workflows_exist_with_one_yml_suffix() -> None:
    names = {workflow.name for workflow in WORKFLOWS_LOADED}
    assert names == EXPECTED
    assert not list(WORKFLOWS.glob("*.yml.yml"))


def test_pr_validation_runs_on_pull_requests_to_main_and_cancels_superseded_runs() -> None:
    workflow = by_name("pr-validate.yml")
    assert set(workflow.triggers) == {"pull_request"}
    assert workflow.triggers["pull_request"]["branches"] == ["main"]
    assert workflow.data["concurrency"]["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in workflow.data["concurrency"]["group"]


def test_pr_path_filter_uses_the_pipelines_own_documentation_rules() -> None:
    filters = yaml.safe_load(by_name("pr-validate.yml").jobs["changes"]["steps"][0]["with"]["filters"])
    assert filters["code"] == ["**", *(f"!{pattern}" for pattern in DOCS)]
    assert filters["specs"] == [pattern for pattern in FULL_BAR if pattern.startswith("docs/")]


@pytest.mark.parametrize(
    "paths",
    [
        ["README.md"],
        ["docs/workflows.md", "CONTRIBUTING.md"],
        ["docs/specs/openapi.json"],
        ["docs/specs/notes.md"],
        ["src/backend/careervp/handlers/health.py", "README.md"],
        [".github/workflows/pr-validate.yml"],
        ["uv.lock"],
        ["Makefile"],
        ["infra/app.py"],
    ],
)
def test_pr_filter_sends_a_change_down_the_same_path_as_careervp_ci_select(paths: list[str]) -> None:
    job = by_name("pr-validate.yml").jobs["changes"]
    filters = yaml.safe_load(job["steps"][0]["with"]["filters"])
    assert job["steps"][0]["with"]["predicate-quantifier"] == "every"
    workflow_full = filter_matches(filters["code"], paths) or filter_matches(filters["specs"], paths)
    pipeline_full = not select(("format", "lint"), paths, "origin/main").skipped
    assert workflow_full == pipeline_full


def test_pr_docs_only_changes_run_the_format_check_and_everything_else_the_pr_profile() -> None:
    jobs = by_name("pr-validate.yml").jobs
    assert jobs["docs-only"]["if"] == "needs.changes.outputs.full != 'true'"
    assert [" ".join(s.split()) for s in dagger_scripts(jobs["docs-only"])] == [
        "dagger call format",
        "dagger call docs",
    ]
    assert jobs["validate"]["if"] == "needs.changes.outputs.full == 'true'"
    assert jobs["validate"]["uses"] == "$/.github/workflows/_reusable-ci.yml"
    assert jobs["validate"]["with"]["profile"] == "pr"


def test_reusable_validation_is_a_workflow_call_that_runs_the_profile_and_uploads_reports() -> None:
    workflow = by_name("_reusable-ci.yml")
    assert set(workflow.triggers) == {"workflow_call"}
    assert workflow.triggers["workflow_call"]["inputs"]["profile"]["required"] is True
    job = workflow.jobs["validate"]
    assert job["env"]["PROFILE"] == "${{ inputs.profile }}"
    scripts = [" ".join(s.split()) for s in dagger_scripts(job)]
    base = '${BASE_REF:+--base-ref "$BASE_REF"}'
    store = '${RESULT_STORE:+--result-store "$RESULT_STORE"} ${WRITE_RESULTS:+--write-results}'
    assert scripts == [
        f'dagger call ci --profile "$PROFILE" {base} {store} | tee -a "$GITHUB_STEP_SUMMARY"',
        f'dagger call reports --profile "$PROFILE" {base} {store} export --path .reports',
        f'dagger call job --profile "$PROFILE" --step synth {base} {store} directory --path '
        f"{ASSEMBLY} export --path cdk.out",  # where the synth step leaves it in the job's tree
    ]
    used = [action(step) for step in steps(job)]
    assert "actions/upload-artifact" in used
    assert "github/codeql-action/upload-sarif" in used
    assert "codecov/codecov-action" not in used, "a Codecov outage must not fail the validation"


CODECOV_CALLERS = {
    "pr-validate.yml": "pr",
    "deploy-dev.yml": "main",
    "gap-remediation.yml": "pr",
    "nightly-maintenance.yml": "nightly",
}


def test_pull_requests_and_the_gap_branch_upload_the_cloud_assembly() -> None:
    job = by_name("_reusable-ci.yml").jobs["validate"]
    export = next(s for s in steps(job) if "--step synth" in script_of(s))
    upload = next(
        s for s in steps(job) if action(s) == "actions/upload-artifact" and s["with"]["path"] == "cdk.out/"
    )
    assert export["if"] == upload["if"] == "inputs.upload-assembly"
    uploading = {
        w.name: job["with"]["profile"]
        for w, _, job in job_steps()
        if "_reusable-ci" in str(job.get("uses", "")) and job["with"].get("upload-assembly") is True
    }
    assert uploading == {"pr-validate.yml": "pr", "gap-remediation.yml": "pr"}


def test_gap_remediation_runs_the_pull_request_bar_and_its_targeted_suite_then_destroys_its_sandbox() -> None:
    jobs = by_name("gap-remediation.yml").jobs
    assert jobs["validate"]["with"]["profile"] == "pr"
    assert jobs["targeted"]["with"]["profile"] == "gap-remediation"
    deploy = jobs["deploy"]
    assert deploy["needs"] == ["validate", "targeted"]
    functions = [parse_dagger_call(script).function for script in dagger_scripts(deploy)]
    assert functions[-1] == "destroy" and functions.index("smoke") < functions.index("destroy")
    (teardown,) = [s for s in steps(deploy) if is_call(script_of(s), "destroy")]
    assert teardown["if"] == "${{ always() }}", "the sandbox is torn down even when the smoke fails"
    assert "--env gap-remediation --confirm gap-remediation" in script_of(teardown)


def test_codecov_uploads_in_a_job_of_its_own_that_nothing_waits_on() -> None:
    codecov = by_name("_codecov.yml")
    assert codecov.triggers["workflow_call"]["secrets"]["CODECOV_TOKEN"]["required"] is False
    (upload,) = [step for step in steps(codecov.jobs["upload"]) if action(step) == "codecov/codecov-action"]
    assert upload["with"]["files"] == ".reports/coverage/coverage.xml"
    assert upload["with"]["fail_ci_if_error"] is True, "a failed upload shows as a failed job"
    uploaders = {
        w.name: j for w in WORKFLOWS_LOADED for j, job in w.jobs.items() if "_codecov" in job.get("uses", "")
    }
    assert set(uploaders) == set(CODECOV_CALLERS)
    for name, profile in CODECOV_CALLERS.items():
        workflow = by_name(name)
        job = workflow.jobs[uploaders[name]]
        assert job["with"] == {"profile": profile}
        assert job["if"] == "${{ !github.event.pull_request.head.repo.fork }}"
        waiting = [j for j, other in workflow.jobs.items() if uploaders[name] in _needs(other)]
        assert waiting == [], (name, waiting)


def _needs(job: Mapping[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def test_the_release_preamble_is_written_once_in_the_release_action() -> None:
    """The store, the credentials and the region are given once: every release step is the action + `call`."""
    texts = {p: p.read_text(encoding="utf-8") for p in (ROOT / ".github").rglob("*.y*ml")}
    counted = {p.relative_to(ROOT).as_posix(): t.count("--aws-access-key-id") for p, t in texts.items()}
    assert {p: n for p, n in counted.items() if n} == {".github/actions/release/action.yml": 1}
    assert PREAMBLE in RELEASE_ACTION.read_text(encoding="utf-8")
    action_yml = yaml.safe_load(RELEASE_ACTION.read_text(encoding="utf-8"))
    assert action_yml["runs"]["using"] == "composite"
    assert set(action_yml["inputs"]) == {"call", "summary", "out"}
    (run,) = action_yml["runs"]["steps"]
    assert run["env"] == {
        "RELEASE_CALL": "${{ inputs.call }}",
        "SUMMARY": "${{ inputs.summary }}",
        "OUT": "${{ inputs.out }}",
    }
    assert "${{" not in run["run"], "the call reaches the shell as an environment variable only"


def test_every_release_step_has_credentials_and_a_store_and_passes_only_a_plain_call() -> None:
    for workflow, job_id, job in job_steps():
        uses = [action(step) for step in steps(job)]
        if RELEASE_USES not in uses:
            continue
        assert uses.index("aws-actions/configure-aws-credentials") < uses.index(RELEASE_USES), job_id
        assert "ARTIFACT_STORE" in {**(job.get("env") or {}), **_step_env(job)}, (workflow.name, job_id)
        for step in steps(job):
            if step.get("uses") == RELEASE_USES:
                assert set(step["with"]) <= {"call", "summary", "out"}, (workflow.name, job_id)
                assert "${{" not in str(step["with"]["call"]), (workflow.name, job_id)


def _step_env(job: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for step in steps(job) for k, v in (step.get("env") or {}).items()}


def test_one_required_check_always_runs_and_fails_unless_the_gates_the_change_called_for_passed() -> None:
    workflow = by_name("pr-validate.yml")
    required = workflow.jobs["required"]
    assert required["if"] == "${{ always() }}"
    assert set(required["needs"]) == set(workflow.jobs) - {"required", "codecov"}
    assert workflow.jobs["validate"]["with"]["base-ref"] == "${{ github.event.pull_request.base.sha }}"
    filters = yaml.safe_load(workflow.jobs["changes"]["steps"][0]["with"]["filters"])
    assert filters["plan"] == ["plan.md"] and filters["specs"] == ["docs/specs/**"]


def test_deploy_dev_runs_on_push_to_main_and_never_cancels_a_running_deploy() -> None:
    workflow = by_name("deploy-dev.yml")
    assert set(workflow.triggers) == {"push"}
    assert workflow.triggers["push"]["branches"] == ["main"]
    assert workflow.data["concurrency"]["cancel-in-progress"] is False
    deploy = workflow.jobs["deploy"]
    assert deploy["concurrency"] == {"group": "deploy-dev", "cancel-in-progress": False}
    assert workflow.jobs["validate"]["with"]["profile"] == "main"


CHECKOUT_COMMIT = '--commit "$(git rev-parse HEAD)"'
"""The commit a build records is the one its job's checkout holds. `$GITHUB_SHA` is the event's commit: not
the checkout's after `actions/checkout` with another `ref:` (hotfix), nor a commit for an annotated tag's
push on every reading of the event; the checkout's HEAD is the tree's commit by construction."""


def commit_problems(job: Mapping[str, Any]) -> list[str]:
    """Each build or publish of the job that does not name its checkout's commit."""
    problems = []
    for script in dagger_scripts(job):
        flat = " ".join(script.split())
        if re.search(r"(^dagger call build|\spublish)\s", flat) and CHECKOUT_COMMIT not in flat:
            problems.append(f"not {CHECKOUT_COMMIT}: {flat}")
    return problems


@pytest.mark.parametrize(
    ("workflow", "job_id"),
    [
        (w.name, j)
        for w, j, job in job_steps()
        if any("call build" in s or " publish " in s for s in dagger_scripts(job))
    ],
)
def test_every_build_and_publish_names_the_commit_its_checkout_holds(workflow: str, job_id: str) -> None:
    assert commit_problems(by_name(workflow).jobs[job_id]) == []


def test_the_commit_check_names_a_build_without_the_checkouts_commit() -> None:
    job = {
        "steps": [
            {"run": "dagger call build export --path a.tar"},
            {"run": 'dagger call release --store s publish --artifact A --commit "$GITHUB_SHA"'},
            {"run": f"dagger call build {CHECKOUT_COMMIT} export --path a.tar"},
        ]
    }
    assert commit_problems(job) == [
        f"not {CHECKOUT_COMMIT}: dagger call build export --path a.tar",
        f'not {CHECKOUT_COMMIT}: dagger call release --store s publish --artifact A --commit "$GITHUB_SHA"',
    ]


def test_deploy_dev_builds_once_attests_that_file_and_deploys_its_digest() -> None:
    jobs = by_name("deploy-dev.yml").jobs
    build_steps = steps(jobs["build"])
    builds = [s for s in build_steps if str(s.get("run", "")).startswith("dagger call build")]
    assert len(builds) == 1
    exported = builds[0]["run"].split("--path ")[1].strip()
    attest = next(s for s in build_steps if action(s) == "actions/attest-build-provenance")
    assert attest["with"]["subject-path"] == exported
    digest = next(s for s in build_steps if s.get("id") == "digest")
    assert exported in digest["run"]
    assert jobs["build"]["outputs"]["artifact"] == "${{ steps.digest.outputs.artifact }}"
    assert jobs["deploy"]["env"]["ARTIFACT"] == "${{ needs.build.outputs.artifact }}"
    deploy_scripts = " ".join(dagger_scripts(jobs["deploy"]))
    for function in ('deploy --env dev --artifact "$ARTIFACT"', "verify --env dev", "smoke --env dev"):
        assert function in " ".join(deploy_scripts.split())
    assert not any(s.startswith("dagger call build") for s in dagger_scripts(jobs["deploy"]))


def test_stage_prod_runs_on_version_tags_or_a_manual_environment_choice() -> None:
    workflow = by_name("deploy-stage-prod.yml")
    assert workflow.triggers["push"] == {"tags": ["v*.*.*"]}
    environment = workflow.triggers["workflow_dispatch"]["inputs"]["environment"]
    assert environment["type"] == "choice"
    assert environment["options"] == ["staging", "prod"]


def test_prod_waits_for_approval_after_the_change_set_summary_and_checks_the_attestation_first() -> None:
    jobs = by_name("deploy-stage-prod.yml").jobs
    change_set, prod = jobs["change-set"], jobs["prod"]
    assert change_set["environment"] == "prod-plan", "a reviewer-less environment: the summary comes first"
    assert change_set["permissions"] == {"contents": "read", "id-token": "write"}
    assert "change-set" in prod["needs"]
    assert prod["environment"] == "prod"
    scripts = [script_of(s) for s in steps(prod)]
    verify_at = next(i for i, s in enumerate(scripts) if s.startswith("gh attestation verify"))
    deploy_at = next(i for i, s in enumerate(scripts) if is_call(s, "deploy"))
    assert verify_at < deploy_at
    assert "deploy-dev.yml" in scripts[verify_at]


def test_prod_deploys_by_approving_the_change_set_the_plan_job_computed_and_published() -> None:
    jobs = by_name("deploy-stage-prod.yml").jobs
    plan = [" ".join(script.split()) for script in dagger_scripts(jobs["change-set"])]
    assert parse_dagger_call(plan[0]) == DaggerCall(
        "change-set", RELEASE_FLAGS | {"env", "artifact"}, (("export", frozenset({"path"})),)
    )
    assert '--env prod --artifact "$ARTIFACT" export --path change-set.json' in plan[0]
    assert plan[1] == f"dagger call change-set-markdown --summary change-set.json | tee -a {SUMMARY}"
    uploads = [s["with"] for s in steps(jobs["change-set"]) if action(s) == "actions/upload-artifact"]
    assert [(u["name"], u["path"]) for u in uploads] == [("careervp-change-set", "change-set.json")]
    downloads = [s["with"] for s in steps(jobs["prod"]) if action(s) == "actions/download-artifact"]
    assert {"name": "careervp-change-set"} in downloads
    (deploy,) = [" ".join(s.split()) for s in dagger_scripts(jobs["prod"]) if is_call(s, "deploy")]
    assert '--change-set change-set.json --approver "github-environment:prod/run-$GITHUB_RUN_ID"' in deploy


def test_staging_and_prod_deploy_the_digest_resolved_once_and_never_rebuild() -> None:
    jobs = by_name("deploy-stage-prod.yml").jobs
    for job_id in ("staging", "prod"):
        assert jobs[job_id]["env"]["ARTIFACT"] == "${{ needs.resolve.outputs.artifact }}"
        assert not any(s.startswith("dagger call build") for s in dagger_scripts(jobs[job_id]))
        assert jobs[job_id]["concurrency"] == {"group": f"deploy-{job_id}", "cancel-in-progress": False}


def test_nightly_maintenance_runs_at_six_utc_with_audit_sbom_drift_and_coverage() -> None:
    workflow = by_name("nightly-maintenance.yml")
    assert workflow.triggers["schedule"] == [{"cron": "0 6 * * *"}]
    assert workflow.jobs["quality"]["with"]["profile"] == "nightly"
    drift = workflow.jobs["drift"]
    assert drift["if"] == "${{ !cancelled() }}", "the drift report comes whatever the quality gate says"
    (call,) = [parse_dagger_call(script) for script in dagger_scripts(drift)]
    assert call.function == "drift" and {"env", "store", "coverage", "synth"} <= call.flags
    synth = by_name("nightly-maintenance.yml").jobs["synth"]
    assert drift["needs"] == ["quality", "synth"] and "needs" not in synth, (
        "main's synth, whatever the gate says"
    )
    (script,) = dagger_scripts(synth)
    assert parse_dagger_call(script).function == "job", "the profile's synth job, which the store can hold"
    store = '${RESULT_STORE:+--result-store "$RESULT_STORE"}'
    assert " ".join(script.split()).endswith(
        f"--step synth {store} directory --path {ASSEMBLY} export --path cdk.out"
    )
    assert "slack-webhook" not in call.flags and "SLACK_WEBHOOK" not in drift["env"], "one post, not three"
    (measure,) = [step for step in steps(drift) if step.get("uses") == RELEASE_USES]
    (upload,) = [step for step in steps(drift) if action(step) == "actions/upload-artifact"]
    assert measure["with"]["out"] == upload["with"]["path"] == "${{ matrix.env }}.md"
    assert upload["with"]["name"] == "drift-${{ matrix.env }}" and upload["if"] == "${{ !cancelled() }}"


def test_the_nightly_reports_every_environments_drift_in_one_table_posted_once() -> None:
    report = by_name("nightly-maintenance.yml").jobs["report"]
    assert report["needs"] == "drift" and report["if"] == "${{ !cancelled() }}"
    assert report["env"]["SLACK_WEBHOOK"] == "${{ secrets.SLACK_WEBHOOK }}"
    (download,) = [s["with"] for s in steps(report) if action(s) == "actions/download-artifact"]
    assert download == {"pattern": "drift-*", "path": "drift", "merge-multiple": True}
    (call,) = [parse_dagger_call(script) for script in dagger_scripts(report)]
    assert call.function == "drift-table" and call.flags == {"tables", "slack-webhook"}
    assert any(s.get("run", "").endswith('| tee -a "$GITHUB_STEP_SUMMARY"') for s in steps(report))


def test_nightly_drift_covers_every_lasting_aws_environment_each_in_its_own_leg_with_its_reading_role() -> (
    None
):
    from careervp_infra.environments import load_environments

    lasting = [
        env for env in load_environments().environments.values() if env.kind == "aws" and not env.transient
    ]
    drift = by_name("nightly-maintenance.yml").jobs["drift"]
    assert drift["strategy"]["fail-fast"] is False
    legs = drift["strategy"]["matrix"]["include"]
    assert {leg["env"] for leg in legs} == {env.name for env in lasting} == {"dev", "staging", "prod"}
    reading = {env.name: (env.github_read_only or env.github) for env in lasting}
    assert {leg["env"]: leg["environment"] for leg in legs} == {
        name: access.environment for name, access in reading.items() if access
    }
    assert {leg["env"]: leg["environment"] for leg in legs}["prod"] == "prod-plan", (
        "prod is read, never changed"
    )
    assert drift["env"]["DRIFT_ENV"] == "${{ matrix.env }}"


def test_nightly_runs_phase_8s_research_smoke_against_dev() -> None:
    job = by_name("nightly-maintenance.yml").jobs["research-smoke"]
    assert job["environment"] == "dev"
    (call,) = [script for script in dagger_scripts(job)]
    assert parse_dagger_call(call).function == "smoke"
    assert "--env dev --phase 8" in call


def test_deploy_dev_runs_the_journeys_after_smoke_and_records_mains_coverage_baseline() -> None:
    jobs = by_name("deploy-dev.yml").jobs
    deploy = [parse_dagger_call(script).function for script in dagger_scripts(jobs["deploy"])]
    assert deploy.index("journeys") == deploy.index("smoke") + 1
    build = [parse_dagger_call(script).function for script in dagger_scripts(jobs["build"])]
    assert build[-1] == "coverage-baseline"


def test_hotfix_takes_ref_and_environment_inputs_only_through_env() -> None:
    workflow = by_name("hotfix.yml")
    inputs = workflow.triggers["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"ref", "environment"}
    assert workflow.jobs["validate"]["with"] == {
        "profile": "${{ inputs.environment == 'prod' && 'main' || 'pr' }}",
        "ref": "${{ inputs.ref }}",
    }
    deploy = workflow.jobs["deploy"]
    assert deploy["env"]["HOTFIX_REF"] == "${{ inputs.ref }}"
    assert deploy["env"]["TARGET_ENV"] == "${{ inputs.environment }}"
    (script,) = [script for script in dagger_scripts(deploy) if is_call(script, "deploy")]
    assert '--env "$TARGET_ENV"' in script and '--ref "$HOTFIX_REF"' in script


def test_every_deploy_job_fetches_and_uploads_the_failure_evidence_only_on_failure() -> None:
    for workflow, job_id, job in job_steps():
        if not any(is_call(script, "deploy") for script in dagger_scripts(job)):
            continue
        fetch = [step for step in steps(job) if is_call(script_of(step), "evidence")]
        upload = [
            step
            for step in steps(job)
            if action(step) == "actions/upload-artifact" and "evidence" in str(step["with"]["path"])
        ]
        assert len(fetch) == len(upload) == 1, (workflow.name, job_id)
        assert fetch[0]["if"] == upload[0]["if"] == "failure()", (workflow.name, job_id)


def test_a_hotfix_reaches_prod_only_through_the_change_set_and_the_prod_approval() -> None:
    jobs = by_name("hotfix.yml").jobs
    assert jobs["deploy"]["if"] == "inputs.environment != 'prod'"
    assert jobs["change-set"]["environment"] == "prod-plan"
    assert jobs["prod"]["environment"] == "prod"
    assert jobs["prod"]["needs"] == ["build", "change-set"]
    (deploy,) = [parse_dagger_call(s) for s in dagger_scripts(jobs["prod"]) if is_call(s, "deploy")]
    assert {"change-set", "approver", "hotfix"} <= deploy.flags


def test_rollback_is_dispatched_by_hand_and_goes_through_the_deploys_concurrency_group() -> None:
    workflow = by_name("rollback.yml")
    assert set(workflow.triggers) == {"workflow_dispatch"}
    assert set(workflow.triggers["workflow_dispatch"]["inputs"]) == {"environment", "to"}
    job = workflow.jobs["rollback"]
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {"group": "deploy-${{ inputs.environment }}", "cancel-in-progress": False}
    (call,) = [parse_dagger_call(s) for s in dagger_scripts(job) if is_call(s, "rollback")]
    assert {"env", "to", "by"} <= call.flags


def test_no_run_script_splices_an_expression() -> None:
    spliced = [(w.name, job) for w in WORKFLOWS_LOADED for job, script in run_scripts(w) if "${{" in script]
    assert spliced == []


def test_every_run_script_is_a_dagger_call_or_an_allowed_plumbing_step() -> None:
    unknown = [
        (w.name, job, script)
        for w in WORKFLOWS_LOADED
        for job, script in run_scripts(w)
        if not run_kind(script)
    ]
    assert unknown == []


@pytest.mark.parametrize(
    "script",
    [
        "dagger call ci --profile pr && curl https://example.invalid",
        'dagger call deploy --env "${{ inputs.environment }}"',
        "pip install something",
        '{\n  echo "$(whoami)"\n} >> "$GITHUB_STEP_SUMMARY"',
        'echo "artifact=sha256:$(sha256sum x.tar | cut -d \' \' -f 1)"; rm -rf / >> "$GITHUB_OUTPUT"',
    ],
)
def test_the_run_allow_list_rejects_logic_and_expressions(script: str) -> None:
    assert run_kind(script) is None


def test_every_job_that_runs_steps_installs_the_pinned_dagger_cli_first() -> None:
    version = dagger_engine_version()
    for workflow, job_id, job in job_steps():
        if workflow.name in OFFICIAL_ACTION_WORKFLOWS or "uses" in job:
            continue
        kinds = {run_kind(script_of(s)) for s in steps(job) if script_of(s)}
        if job_id in {"changes", "required"} or kinds <= {"summary"}:
            continue
        used = [action(s) for s in steps(job)]
        assert "dagger/dagger-for-github" in used, (workflow.name, job_id)
        install = used.index("dagger/dagger-for-github")
        assert steps(job)[install]["with"] == {"version": version}, (workflow.name, job_id)
        first_call = next(i for i, s in enumerate(steps(job)) if script_of(s).startswith("dagger call"))
        assert install < first_call, (workflow.name, job_id)


def test_every_dagger_call_names_a_module_function_and_its_real_arguments() -> None:
    for workflow in WORKFLOWS_LOADED:
        for job_id, script in run_scripts(workflow):
            if run_kind(script) != "dagger call":
                continue
            call = parse_dagger_call(script)  # refuses an unknown function or flag, as the CLI would
            where = (workflow.name, job_id, call.function)
            for name, flags in call.chain:
                assert flags <= DAGGER_CORE_CHAIN.get(name, set()), (where, name)


def test_the_runner_masks_the_aws_account_id_wherever_credentials_are_configured() -> None:
    """The account id is known on the runner, so the runner masks it (the release commands' own
    `::add-mask::` announcements print inside Dagger containers, where GitHub does not read them)."""
    configured = [
        (workflow.name, job_id, step["with"])
        for workflow, job_id, job in job_steps()
        for step in steps(job)
        if action(step) == "aws-actions/configure-aws-credentials"
    ]
    assert len(configured) >= 5
    for where in configured:
        assert where[2].get("mask-aws-account-id") is True, where[:2]


def test_credentials_reach_dagger_as_secret_references() -> None:
    for workflow in WORKFLOWS_LOADED:
        for job_id, script in run_scripts(workflow):
            words = " ".join(script.split()).split()
            for flag, value in itertools.pairwise(words):
                if flag.startswith("--aws-") and flag != "--aws-region":
                    assert value == f"env:{flag[2:].upper().replace('-', '_')}", (workflow.name, job_id, flag)


def test_top_level_permissions_are_empty_everywhere() -> None:
    assert {w.name: w.data.get("permissions") for w in WORKFLOWS_LOADED} == {name: {} for name in EXPECTED}


def test_every_job_declares_its_own_permissions_and_none_writes_contents() -> None:
    for workflow, job_id, job in job_steps():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), (workflow.name, job_id, permissions)
        assert permissions.get("contents", "read") == "read", (workflow.name, job_id)
        assert set(permissions.values()) <= {"read", "write"}, (workflow.name, job_id)


def test_id_token_is_granted_only_to_jobs_bound_to_a_github_environment() -> None:
    granted = [
        (w.name, job_id) for w, job_id, job in job_steps() if job["permissions"].get("id-token") == "write"
    ]
    assert granted, "the deploy jobs need OIDC"
    for workflow, job_id, job in job_steps():
        if job["permissions"].get("id-token") == "write":
            assert job.get("environment"), (workflow.name, job_id)
        else:
            assert not any(action(s) == "aws-actions/configure-aws-credentials" for s in steps(job)), job_id


def test_each_environment_assumes_its_own_aws_role() -> None:
    for workflow, job_id, job in job_steps():
        for step in steps(job):
            if action(step) != "aws-actions/configure-aws-credentials":
                continue
            role = str(step["with"]["role-to-assume"])
            environment = str(job["environment"])
            if environment.startswith("${{"):
                named = set(re.findall(r"secrets\.(\w+)", role))
                assert {"AWS_ROLE_DEV", "AWS_ROLE_STAGE"} <= named <= set(ROLE_FOR_ENVIRONMENT.values())
            else:
                assert role == f"${{{{ secrets.{ROLE_FOR_ENVIRONMENT[environment]} }}}}", (
                    workflow.name,
                    job_id,
                )


WEBHOOK_SECRET_ENV = "STRIPE_WEBHOOK_SECRET: ${{ secrets.STRIPE_WEBHOOK_SECRET }}"
"""A secret besides the OIDC roles: an environment variable that `dagger call` reads as env:NAME."""
MODEL_KEY_ENV = "ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}"
"""The model API key: an environment variable only the calls that deploy read (env:ANTHROPIC_API_KEY)."""
CODECOV_LINES = (
    "CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}",
    "token: ${{ secrets.CODECOV_TOKEN }}",
    "SLACK_WEBHOOK: ${{ secrets.SLACK_WEBHOOK }}",
)
"""The Codecov token (to the reusable validation, then the Codecov action only) and the nightly drift's Slack
webhook (an environment variable its `dagger call` reads as env:SLACK_WEBHOOK)."""


def test_secrets_appear_only_as_role_arns_for_oidc_or_the_webhook_secret_for_dagger() -> None:
    for workflow in WORKFLOWS_LOADED:
        lines = [line.strip() for line in workflow.text.splitlines() if "secrets." in line]
        assert all(
            line in (WEBHOOK_SECRET_ENV, MODEL_KEY_ENV)
            or line in CODECOV_LINES
            or line.startswith(
                ("role-to-assume:", "${{ inputs.environment", "|| inputs.environment", "|| secrets.")
            )
            for line in lines
        ), (workflow.name, lines)


def test_the_webhook_secret_reaches_exactly_the_jobs_whose_calls_sign_a_replay() -> None:
    for workflow, job_id, job in job_steps():
        calls = [parse_dagger_call(script) for script in dagger_scripts(job)]
        signs = any(call.function in ("deploy", "rollback", "smoke") for call in calls)
        has_secret = "STRIPE_WEBHOOK_SECRET" in (job.get("env") or {})
        assert signs == has_secret, (workflow.name, job_id)
        for call in calls:
            if call.function in ("deploy", "rollback", "smoke"):
                assert "stripe-webhook-secret" in call.flags, (workflow.name, job_id, call.function)


DEPLOYING = ("deploy", "promote", "rollback", "hotfix")
"""The release functions that deploy (and so store the model key)."""


def test_the_model_key_reaches_exactly_the_jobs_that_deploy_and_only_their_deploy_calls() -> None:
    deploying = []
    for workflow, job_id, job in job_steps():
        calls = [parse_dagger_call(script) for script in dagger_scripts(job)]
        deploys = any(call.function in DEPLOYING for call in calls)
        assert deploys == ("ANTHROPIC_API_KEY" in (job.get("env") or {})), (workflow.name, job_id)
        for call in calls:
            takes_key = call.function in DEPLOYING
            assert ("anthropic-api-key" in call.flags) == takes_key, (workflow.name, job_id, call.function)
        deploying += [(workflow.name, job_id)] if deploys else []
    assert deploying, "some job deploys"


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version() -> None:
    for workflow in WORKFLOWS_LOADED:
        for line in uses_lines(workflow.text):
            reference = line.split("uses:", 1)[1].split("#")[0].strip()
            if LOCAL_WORKFLOW.fullmatch(reference) or LOCAL_ACTION.fullmatch(reference):
                continue
            assert SHA_PIN.fullmatch(reference), (workflow.name, line)
            assert VERSION_COMMENT.search(line), (workflow.name, line)


def test_one_action_version_is_used_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for workflow in WORKFLOWS_LOADED:
        for line in uses_lines(workflow.text):
            reference = line.split("uses:", 1)[1].split("#")[0].strip()
            if "@" in reference:
                repo = "/".join(reference.split("@")[0].split("/")[:2])
                pins.setdefault(repo, set()).add(reference.split("@")[1])
    assert {repo: len(shas) for repo, shas in pins.items() if len(shas) > 1} == {}


def test_checkouts_never_persist_the_token() -> None:
    for workflow, job_id, job in job_steps():
        for step in steps(job):
            if action(step) == "actions/checkout":
                assert step["with"]["persist-credentials"] is False, (workflow.name, job_id)


def test_codeql_and_scorecard_use_their_official_actions() -> None:
    codeql = [action(s) for s in steps(by_name("codeql-analysis.yml").jobs["analyze"])]
    assert {"github/codeql-action/init", "github/codeql-action/analyze"} <= set(codeql)
    scorecard = steps(by_name("scorecard.yml").jobs["analysis"])
    run = next(s for s in scorecard if action(s) == "ossf/scorecard-action")
    assert run["with"]["publish_results"] is False, "publishing would need an OIDC token outside a deploy job"


def test_the_labeler_labels_same_repository_pull_requests_by_path_with_least_privilege() -> None:
    workflow = by_name("labeler.yml")
    assert set(workflow.triggers) == {"pull_request"}
    job = workflow.jobs["label"]
    # issues: write because a label a rule names may not exist yet: the labeler then creates it, which
    # pull-requests: write alone does not allow (actions/labeler v7's README, "Permissions").
    assert job["permissions"] == {"contents": "read", "pull-requests": "write", "issues": "write"}
    assert job["if"] == "${{ !github.event.pull_request.head.repo.fork }}"
    config = yaml.safe_load((ROOT / ".github" / "labeler.yml").read_text())
    assert {"backend", "infra", "pipeline", "workflows", "api-contract", "docs"} <= set(config)
