"""Branch ruleset and environments as code: `github-settings --check` against the workflows, the generated
docs section, and `--apply` against a local stub of GitHub's REST API that records every request."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from careervp_ci.github import apply as github_apply
from careervp_ci.github import settings as github_settings
from support.fixture_project import CliRunner, write

ROOT = Path(__file__).resolve().parents[3]
TOKEN = "ghs_stub_token_for_tests_only"

PR_WORKFLOW = """\
name: pr
on:
  pull_request:
    branches: [main]
jobs:
  gate:
    name: Gate
    runs-on: ubuntu-24.04
    steps: [{run: "true"}]
  required:
    name: required
    needs: [gate]
    if: ${{ always() }}
    runs-on: ubuntu-24.04
    steps: [{run: "true"}]
"""

DEPLOY_WORKFLOW = """\
name: deploy
on:
  workflow_dispatch:
    inputs:
      environment: {type: choice, options: [dev, prod]}
jobs:
  deploy:
    environment: ${{ inputs.environment }}
    runs-on: ubuntu-24.04
    env:
      HOOK: ${{ secrets.STRIPE_WEBHOOK_SECRET }}
    steps: [{run: "true"}]
  plan:
    environment: prod
    runs-on: ubuntu-24.04
    steps:
      - uses: aws-actions/configure-aws-credentials@0000000000000000000000000000000000000000 # v4.2.1
        with: {role-to-assume: "${{ secrets.AWS_ROLE_PROD }}"}
"""


REGISTRY = """\
[environments.dev]
kind = "aws"
region = "us-east-1"
log_retention_days = 14
monthly_budget_usd = 50
error_rate_threshold_percent = 5
p99_latency_threshold_ms = 3000
github = { environment = "dev", role_secret = "AWS_ROLE_DEV" }

[environments.prod]
kind = "aws"
region = "us-east-1"
log_retention_days = 365
monthly_budget_usd = 500
error_rate_threshold_percent = 1
p99_latency_threshold_ms = 1500
requires_approval = true
github = { environment = "prod", role_secret = "AWS_ROLE_PROD" }
"""


def environment(
    secrets: list[str], policies: list[dict[str, str]] | None = None, *, reviewed: bool = True
) -> str:
    return json.dumps(
        {
            "environment": {
                "wait_timer": 0,
                "reviewers": [{"type": "Team", "slug": "approvers"}] if reviewed else [],
                "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
            },
            "deployment_branch_policies": policies or [{"name": "main", "type": "branch"}],
            "secrets": secrets,
        }
    )


def ruleset(*checks: str) -> str:
    return json.dumps(
        {
            "name": "main",
            "target": "branch",
            "enforcement": "active",
            "rules": [
                {"type": "non_fast_forward"},
                {"type": "deletion"},
                {
                    "type": "required_status_checks",
                    "parameters": {"required_status_checks": [{"context": c} for c in checks]},
                },
            ],
        }
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A repository whose settings agree with its workflows (and whose docs section is generated)."""
    write(tmp_path, ".github/workflows/pr.yml", PR_WORKFLOW)
    write(tmp_path, ".github/workflows/deploy.yml", DEPLOY_WORKFLOW)
    write(tmp_path, ".github/settings/ruleset-main.json", ruleset("required", "Gate"))
    write(tmp_path, ".github/settings/repository.json", json.dumps({"secrets": [], "variables": []}))
    write(tmp_path, "infra/environments.toml", REGISTRY)
    dev = environment(["AWS_ROLE_DEV", "STRIPE_WEBHOOK_SECRET"], reviewed=False)
    write(tmp_path, ".github/settings/environments/dev.json", dev)
    prod = environment(["AWS_ROLE_PROD", "STRIPE_WEBHOOK_SECRET"], [{"name": "v*.*.*", "type": "tag"}])
    write(tmp_path, ".github/settings/environments/prod.json", prod)
    write(tmp_path, "docs/workflows.md", f"# Workflows\n\n{github_settings.BEGIN}\n{github_settings.END}\n")
    github_settings.write_docs(tmp_path)
    return tmp_path


def test_settings_that_agree_with_the_workflows_pass(tree: Path) -> None:
    assert github_settings.check(tree) == []


def test_a_required_check_that_no_job_reports_is_named(tree: Path) -> None:
    write(tree, ".github/settings/ruleset-main.json", ruleset("required", "CodeQL (python)"))
    github_settings.write_docs(tree)
    [problem] = github_settings.check(tree)
    assert "required check 'CodeQL (python)' is the name of no workflow job" in problem
    assert "Gate" in problem


def test_a_required_check_that_can_be_skipped_into_green_is_refused(tree: Path) -> None:
    write(tree, ".github/workflows/pr.yml", PR_WORKFLOW.replace("    if: ${{ always() }}\n", ""))
    [problem] = github_settings.check(tree)
    assert "required check 'required' (pr.yml, job required) may be skipped" in problem


def test_a_required_check_behind_a_path_filter_or_off_pull_requests_is_refused(tree: Path) -> None:
    filtered = PR_WORKFLOW.replace("    branches: [main]\n", "    branches: [main]\n    paths: ['src/**']\n")
    write(tree, ".github/workflows/pr.yml", filtered)
    assert any("has a path filter on pull_request" in p for p in github_settings.check(tree))
    write(tree, ".github/workflows/pr.yml", PR_WORKFLOW.replace("pull_request:", "push:"))
    problems = github_settings.check(tree)
    assert "required check 'required' (pr.yml) never runs on pull requests" in problems[0]


def test_a_job_in_an_undefined_environment_or_reading_an_unlisted_secret_is_named(tree: Path) -> None:
    (tree / ".github/settings/environments/prod.json").write_text(environment(["STRIPE_WEBHOOK_SECRET"]))
    github_settings.write_docs(tree)
    problems = github_settings.check(tree)
    assert problems == [
        "deploy.yml job plan reads secret AWS_ROLE_PROD from environment prod, whose settings do not list it "
        "(nor repository.json)",
        ".github/settings/environments/prod.json does not list AWS_ROLE_PROD, the secret of its role "
        "(infra/environments.toml: prod)",
    ]
    (tree / ".github/settings/environments/dev.json").unlink()
    github_settings.write_docs(tree)
    assert any(
        "deploy.yml job deploy runs in environment 'dev', which .github/settings/environments/ does not "
        "define" in problem
        for problem in github_settings.check(tree)
    )


def test_a_settings_file_and_the_registry_must_name_the_same_github_environments(tree: Path) -> None:
    write(tree, ".github/settings/environments/qa.json", environment([], reviewed=False))
    github_settings.write_docs(tree)
    assert github_settings.check(tree) == [
        ".github/settings/environments/qa.json: no environment of infra/environments.toml names the GitHub "
        "environment 'qa' (named there: dev, prod)"
    ]
    (tree / ".github/settings/environments/qa.json").unlink()
    registry = REGISTRY + "github_read_only = { environment = 'prod-plan', role_secret = 'AWS_ROLE_READ' }\n"
    write(tree, "infra/environments.toml", registry)
    github_settings.write_docs(tree)
    assert github_settings.check(tree) == [
        "infra/environments.toml: prod names the GitHub environment 'prod-plan', which "
        ".github/settings/environments/ does not define"
    ]


def test_a_settings_file_holds_its_own_role_and_no_other_environments(tree: Path) -> None:
    dev = environment(["AWS_ROLE_DEV", "AWS_ROLE_PROD", "STRIPE_WEBHOOK_SECRET"], reviewed=False)
    write(tree, ".github/settings/environments/dev.json", dev)
    github_settings.write_docs(tree)
    assert github_settings.check(tree) == [
        ".github/settings/environments/dev.json lists AWS_ROLE_PROD: another GitHub environment's role"
    ]


def test_required_reviewers_stand_exactly_where_the_registry_requires_an_approval(tree: Path) -> None:
    prod = environment(["AWS_ROLE_PROD", "STRIPE_WEBHOOK_SECRET"], reviewed=False)
    write(tree, ".github/settings/environments/prod.json", prod)
    dev = environment(["AWS_ROLE_DEV", "STRIPE_WEBHOOK_SECRET"])
    write(tree, ".github/settings/environments/dev.json", dev)
    github_settings.write_docs(tree)
    assert github_settings.check(tree) == [
        ".github/settings/environments/dev.json has required reviewers, but infra/environments.toml declares "
        "no approval for its jobs (dev): set requires_approval there, or drop the reviewers",
        ".github/settings/environments/prod.json has no required reviewers, but prod requires an approval "
        "(infra/environments.toml): its deploys would wait for no one on GitHub",
    ]


def test_an_invalid_or_missing_registry_is_a_problem_naming_it(tree: Path) -> None:
    write(tree, "infra/environments.toml", REGISTRY + "colour = 'blue'\n")
    [problem] = github_settings.check(tree)
    assert "environments.toml is invalid: environments.prod.colour: Extra inputs are not permitted" in problem
    (tree / "infra/environments.toml").unlink()
    assert github_settings.check(tree) == [f"environments file not found: {tree / 'infra/environments.toml'}"]


MATRIX_WORKFLOW = """\
name: drift
on: schedule
jobs:
  drift:
    strategy:
      matrix:
        include:
          - {env: dev, environment: dev}
          - {env: prod, environment: ENVIRONMENT}
    environment: ${{ matrix.environment }}
    runs-on: ubuntu-24.04
    steps: [{run: "true"}]
"""


def test_a_matrix_environment_is_resolved_to_each_legs_environment(tree: Path) -> None:
    write(tree, ".github/workflows/drift.yml", MATRIX_WORKFLOW.replace("ENVIRONMENT", "prod"))
    github_settings.write_docs(tree)
    assert github_settings.check(tree) == []
    write(tree, ".github/workflows/drift.yml", MATRIX_WORKFLOW.replace("ENVIRONMENT", "prod-plan"))
    github_settings.write_docs(tree)
    assert any(
        "drift.yml job drift runs in environment 'prod-plan', which .github/settings/environments/ does not"
        in problem
        for problem in github_settings.check(tree)
    )


def test_the_docs_section_is_generated_and_a_stale_one_fails_the_check(tree: Path) -> None:
    docs = (tree / "docs/workflows.md").read_text()
    assert "- required check: `required`" in docs
    assert "| `prod` | Team approvers | tag `v*.*.*` | `AWS_ROLE_PROD`, `STRIPE_WEBHOOK_SECRET` |" in docs
    write(tree, ".github/settings/ruleset-main.json", ruleset("required"))
    assert github_settings.check(tree) == [
        "docs/workflows.md: the settings section is stale; run careervp-ci github-settings --write-docs"
    ]
    assert github_settings.write_docs(tree)
    assert github_settings.check(tree) == []


def test_the_projects_settings_agree_with_its_workflows_and_docs() -> None:
    assert github_settings.check(ROOT) == []


def test_the_projects_ruleset_requires_the_aggregator_codeql_and_scorecard_and_forbids_rewrites() -> None:
    settings = github_settings.load(ROOT)
    assert settings.required_checks == ["required", "CodeQL (python)", "Scorecard analysis"]
    for rule in ("non_fast_forward", "deletion", "required_linear_history", "pull_request"):
        assert settings.rule(rule), rule
    assert {"dev", "staging", "prod-plan", "prod", "gap-remediation"} <= set(settings.environments)
    assert settings.environments["prod"].body["reviewers"], "prod needs a reviewer"


# -- --apply against a recording stub -----------------------------------------------------------------------


class Stub(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, Any, str]]
    answers: dict[tuple[str, str], Any]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        self.requests.append((self.command, self.path, body, self.headers.get("Authorization", "")))
        payload = json.dumps(self.answers.get((self.command, self.path), {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[tuple[str, type[Stub]]]:
    handler = type("Recording", (Stub,), {"requests": [], "answers": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()


def test_apply_puts_the_ruleset_environments_and_branch_policies_and_names_missing_secrets(
    tree: Path, stub: tuple[str, type[Stub]]
) -> None:
    url, handler = stub
    base = "/repos/acme/careervp"
    handler.answers = {
        ("GET", f"{base}/rulesets"): [{"id": 7, "name": "main"}],
        ("GET", "/orgs/acme/teams/approvers"): {"id": 42},
        ("GET", f"{base}/environments/prod/deployment-branch-policies"): {
            "branch_policies": [{"id": 3, "name": "release/*", "type": "branch"}]
        },
        ("GET", f"{base}/environments/prod/secrets"): {"secrets": [{"name": "STRIPE_WEBHOOK_SECRET"}]},
        ("GET", f"{base}/environments/dev/secrets"): {"secrets": [{"name": "STRIPE_WEBHOOK_SECRET"}]},
    }
    client = github_apply.GitHub("acme/careervp", TOKEN, url)
    done = github_apply.apply(client, github_settings.load(tree))
    calls = [(method, path) for method, path, _, _ in handler.requests]
    bodies = {(method, path): body for method, path, body, _ in handler.requests}
    assert ("PUT", f"{base}/rulesets/7") in calls
    assert bodies[("PUT", f"{base}/rulesets/7")] == json.loads(
        (tree / ".github/settings/ruleset-main.json").read_text()
    )
    assert bodies[("PUT", f"{base}/environments/prod")]["reviewers"] == [{"type": "Team", "id": 42}]
    assert bodies[("POST", f"{base}/environments/prod/deployment-branch-policies")] == {
        "name": "v*.*.*",
        "type": "tag",
    }
    assert ("DELETE", f"{base}/environments/prod/deployment-branch-policies/3") in calls
    assert {auth for *_, auth in handler.requests} == {f"Bearer {TOKEN}"}
    assert (
        "environment 'prod' applied (1 deployment policies); still to set by hand: secret AWS_ROLE_PROD"
        in done
    )
    assert not any(TOKEN in line for line in done)


def test_apply_creates_the_ruleset_when_the_repository_has_none(
    tree: Path, stub: tuple[str, type[Stub]]
) -> None:
    url, handler = stub
    handler.answers = {("GET", "/orgs/acme/teams/approvers"): {"id": 1}}
    github_apply.apply(github_apply.GitHub("acme/careervp", TOKEN, url), github_settings.load(tree))
    assert ("POST", "/repos/acme/careervp/rulesets") in [(m, p) for m, p, _, _ in handler.requests]


def test_the_command_applies_with_the_token_from_the_environment_and_never_prints_it(
    tree: Path, stub: tuple[str, type[Stub]], careervp_ci: CliRunner
) -> None:
    url, handler = stub
    handler.answers = {("GET", "/orgs/acme/teams/approvers"): {"id": 1}}
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": url, "GITHUB_REPOSITORY": "acme/careervp"}
    result = careervp_ci("github-settings", "--apply", "--src", str(tree), cwd=tree, env=env)
    assert result.returncode == 0, result.stderr
    assert "ruleset 'main' created" in result.stdout
    assert TOKEN not in result.stdout + result.stderr
    assert len(handler.requests) > 5


def test_the_command_refuses_to_apply_without_a_token_and_check_exits_1_naming_problems(
    tree: Path, careervp_ci: CliRunner
) -> None:
    refused = careervp_ci(
        "github-settings",
        "--apply",
        "--src",
        str(tree),
        cwd=tree,
        env={"GITHUB_TOKEN": "", "GITHUB_REPOSITORY": "a/b"},
    )
    assert refused.returncode == 2
    assert "needs $GITHUB_TOKEN" in refused.stderr
    shutil.rmtree(tree / ".github/settings/environments")
    checked = careervp_ci("github-settings", "--check", "--src", str(tree), cwd=tree)
    assert checked.returncode == 1
    assert "runs in environment 'dev', which .github/settings/environments/ does not define" in checked.stderr
