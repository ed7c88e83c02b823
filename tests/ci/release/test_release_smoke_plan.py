"""What a deploy's smoke would run on each target, planned from data: a real AWS environment without the
optional variables plans no check that would fail for lack of one (it is reported not verifiable there),
prod's declared read-only smoke runs only checks that change nothing, and staging keeps the full smoke."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.release.checks import smoke_checks
from careervp_ci.release.feature_checks import CHECKS as FEATURE_CHECKS
from careervp_ci.release.smoke import CHECKS, FIXTURE_SITE_ENV, GIVEN_TO_EVERY_RUN, OPTIONAL_INPUTS, Check
from careervp_ci.release.smoke_plan import SmokePlan, plan_smoke
from careervp_ci.release.targets import Target, load_targets, resolve_targets
from careervp_infra.environments import parse_environments

TARGETS = load_targets()
AWS_TARGETS = sorted(name for name, target in TARGETS.items() if target.kind == "aws")
REQUIRED_ONLY = {"STRIPE_WEBHOOK_SECRET": "whsec-not-real", "ANTHROPIC_API_KEY": "sk-not-real"}
"""What every deploy job provides (the environments' secrets); no optional variable."""
PROD_SMOKE = [
    "health: service reports healthy",
    "authentication: a personal route refuses a request without a token",
    "authentication: a personal route refuses a token that is not the pool's",
    "authentication: the signed-in smoke user reaches a personal route",
    "monitoring: synthetic health probe finds the API healthy",
    "security: WAF blocks a known-bad path",
    "notifications: the notifier is subscribed to the topic",
    "frontend: config.json names the API",
    "frontend: the SPA in Chromium shows the API healthy",
    "frontend: the SPA in Chromium signs the smoke user in and lists their documents",
    "frontend: CloudFront serves the deployed SPA",
]
"""Prod's minimal smoke: the API is up and its authorizer refuses strangers and admits the pool's test user,
the canary's probe, WAF, the notifier's wiring, and the SPA as a browser sees it (its test user signed in,
listing whatever they have); nothing that writes."""

WRITES = (
    "knowledge base: upload",
    "frontend: the SPA in Chromium lists a document stored through the API",
    "cv tailoring",
    "cover letter",
    "billing: signed webhook",
    "billing: unsigned webhook",
    "notifications: an email",
    "deployed canary function",
)
"""What prod must not do: write to the knowledge base, call the model, replay into the billing ledger (an
unsigned webhook too: a broken validator would let it write), send email, publish a canary metric."""


def plan(target: Target, environ: dict[str, str] | None = None) -> SmokePlan:
    return plan_smoke(target, REQUIRED_ONLY if environ is None else environ, *smoke_checks())


def names(plan: SmokePlan) -> list[str]:
    return [f"{check.feature}: {check.name}" for check in plan.http] + [
        f"{check.feature}: {check.name}" for check in plan.deployed
    ]


def unmet(planned: SmokePlan) -> list[str]:
    """Planned checks that use a placeholder neither given to every run, nor an input the target has, nor
    captured by an earlier check: each would fail for want of it."""
    known = set(GIVEN_TO_EVERY_RUN) | set(planned.inputs)
    problems = []
    for check in planned.http:
        if missing := check.placeholders() - known:
            problems.append(f"{check.name}: {sorted(missing)}")
        known |= set(check.capture)
    return problems


def test_every_optional_input_is_one_nothing_provides_to_a_real_deploy() -> None:
    """The inputs the plan treats as optional are exactly those no workflow, setting or Dagger argument
    passes: if one became provided, this list (and the plan) should say so."""
    provided = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in (
            ".github/workflows",
            ".github/settings/environments",
            "ci/src/careervp_ci/dagger_module",
        )
        for path in sorted((Path(__file__).resolve().parents[3] / folder).glob("*.*"))
    )
    assert [item.variable for item in OPTIONAL_INPUTS] == [FIXTURE_SITE_ENV]
    assert FIXTURE_SITE_ENV not in provided


@pytest.mark.parametrize("name", AWS_TARGETS)
def test_a_deploy_to_aws_without_optional_variables_plans_no_check_that_needs_one(name: str) -> None:
    planned = plan(TARGETS[name])
    assert unmet(planned) == []
    assert planned.inputs == {}
    assert not any("company research" in line for line in names(planned))
    if not TARGETS[name].read_only_smoke:
        assert [line.split(": ")[1].split(" (")[0] for line in planned.unverifiable] == [
            "research the fixture site",
            "read the stored research back",
        ]
        assert planned.unverifiable[0].startswith("n/v  company research: research the fixture site (POST ")
        assert f"not verifiable on this target: needs ${FIXTURE_SITE_ENV}" in planned.unverifiable[0]
        assert "would capture" in planned.unverifiable[1]


def test_with_the_fixture_site_given_company_research_runs_on_aws() -> None:
    planned = plan(TARGETS["staging"], {**REQUIRED_ONLY, FIXTURE_SITE_ENV: "https://fixture.example"})
    assert planned.unverifiable == ()
    assert planned.inputs == {"fixture_site": "https://fixture.example"}
    assert "company research: research the fixture site" in names(planned)
    assert unmet(planned) == []


def test_staging_keeps_the_full_smoke_and_signs_in_a_throwaway_user() -> None:
    planned = plan(TARGETS["staging"])
    researched = {"research the fixture site", "read the stored research back"}
    assert [check.name for check in planned.http] == [c.name for c in CHECKS if c.name not in researched]
    assert planned.deployed == FEATURE_CHECKS
    assert planned.left_out == ()
    assert not TARGETS["staging"].read_only_smoke


def test_prods_smoke_is_minimal_and_every_check_it_runs_is_read_only() -> None:
    planned = plan(TARGETS["prod"])
    assert names(planned) == PROD_SMOKE
    assert all(check.read_only for check in planned.http)
    assert all(check.read_only for check in planned.deployed)
    assert planned.signs_in and TARGETS["prod"].read_only_smoke  # the dedicated test user: no sign-up
    left_out = "\n".join(planned.left_out)
    for writes in WRITES:
        assert writes in left_out


def test_a_read_only_check_over_http_uses_a_method_that_cannot_write() -> None:
    assert {check.method for check in CHECKS if check.read_only} == {"GET"}


def test_the_read_only_smoke_comes_from_the_registry_not_the_name() -> None:
    stack = "region = 'us-east-1'\nlog_retention_days = 14\nmonthly_budget_usd = 1\n"
    stack += "error_rate_threshold_percent = 1\np99_latency_threshold_ms = 1\n"
    registry = parse_environments(
        f"[environments.staging]\nkind = 'aws'\nsmoke = 'read-only'\n{stack}"
        "github = { environment = 'staging', role_secret = 'S' }\n"
        f"[environments.prod]\nkind = 'aws'\n{stack}github = {{ environment = 'prod', role_secret = 'P' }}\n"
    )
    loaded = resolve_targets(registry)
    assert names(plan(loaded["staging"])) == PROD_SMOKE
    assert plan(loaded["prod"]).left_out == ()


def test_on_an_emulator_every_check_is_planned_its_fixture_site_made_there() -> None:
    planned = plan(TARGETS["local"], {})
    assert [check.name for check in planned.http] == [check.name for check in CHECKS]
    assert planned.unverifiable == ()
    assert planned.inputs == {"fixture_site": ""}


def test_a_check_using_a_value_nothing_gives_is_a_mistake_named_before_any_check_runs() -> None:
    stray = Check("kb", "read a document never made", "GET", "/kb/documents/{document_id}", 200)
    with pytest.raises(ValueError, match=r"read a document never made.*\{document_id\}"):
        plan_smoke(TARGETS["dev"], REQUIRED_ONLY, (stray,), ())


def test_a_phase_of_company_research_alone_on_aws_plans_nothing_to_run_and_says_why() -> None:
    planned = plan_smoke(TARGETS["dev"], REQUIRED_ONLY, *smoke_checks("8"))
    assert planned.http == () and planned.deployed == ()
    assert len(planned.unverifiable) == 2


def test_the_spas_phase_alone_signs_the_smoke_user_in_for_its_browser_checks() -> None:
    planned = plan_smoke(TARGETS["local"], {}, *smoke_checks("18"))
    assert planned.http == ()
    assert planned.signs_in
    assert not plan_smoke(TARGETS["local"], {}, (), planned.deployed[:1]).signs_in
