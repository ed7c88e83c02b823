"""The strategy's phases as data: for each phase, what a pull request runs, what a deploy smokes, what runs
nightly, and which paths are its own (the CI strategy's "Phase-Specific Workflow Guidance"; how to use
them: docs/ci-strategy.md, "Phases").

One entry per phase in `PHASES`. A part a phase cannot run yet is `Missing(reason)`: asked to run it, the
pipeline fails with that one line instead of passing empty. To register a phase's feature, replace its
`Missing` parts with the steps and tests (and, in `careervp_ci.release.smoke`, the checks) that exist.

- `pr`: catalogue steps with their options (suites take `paths`: the phase's own tests), run by
  `careervp-ci ci --phase ID` as the profile `phase-ID`;
- `smoke`: features of `careervp_ci.release.smoke.CHECKS`, run after a deploy (`deploy` runs every phase's,
  `smoke --env E --phase ID` one phase's);
- `nightly`: catalogue steps (`careervp-ci ci --phase ID --nightly`), and what the nightly workflow runs
  against a deployed environment (`nightly_note`);
- `paths`: change-aware selection (`ci --phase changed --changed-from REF`) runs the phases a diff touches.

Here are the table and its lookups; what a phase becomes when asked to run (its profile, or why it cannot)
is the resolver's (`careervp_ci.pipeline.resolve`), which phases a change touches is
`careervp_ci.pipeline.changes.select.touched`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from careervp_ci.errors import CareervpError
from careervp_ci.pipeline.plan import PlanError


class PhaseNotImplemented(CareervpError):
    """A phase was asked to run a part whose feature does not exist yet (exit 1, never an empty pass)."""


@dataclass(frozen=True)
class Missing:
    """A part of a phase whose feature does not exist in this tree yet."""

    reason: str


@dataclass(frozen=True)
class Blueprint:
    """A pull request's checks for one phase: catalogue steps and their options."""

    steps: tuple[str, ...]
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    paths: tuple[str, ...]
    """Globs of the code and tests that belong to this phase (change-aware selection)."""
    pr: Blueprint | Missing
    smoke: tuple[str, ...] | Missing
    nightly: tuple[str, ...] | Missing = ()
    nightly_note: str = ""

    @property
    def profile_name(self) -> str:
        return f"phase-{self.id}"

    @property
    def implemented(self) -> bool:
        return isinstance(self.pr, Blueprint)


def tests(**suites: str) -> dict[str, dict[str, str]]:
    """Suite options selecting a phase's own tests: `tests(unit="tests/unit/x", integration="...")`."""
    return {suite: {"paths": paths} for suite, paths in suites.items()}


LINT = ("lint", "typecheck")
"""Every phase's PR starts with the strategy's "lint/typecheck" (ruff check, mypy --strict)."""
FRONTEND = ("frontend-lint", "frontend-unit", "frontend-build")
"""The SPA's own checks (its locked npm project in frontend/)."""
ENDPOINT = ("openapi", "synth")
"""A phase with endpoints checks the contract for drift and synthesizes (cdk-nag) the stack serving them."""
CORE = (
    "src/backend/careervp/api.py",
    "src/backend/careervp/envelope.py",
    "src/backend/careervp/config.py",
    "src/backend/careervp/resources.py",
    "src/backend/careervp/aws_clients.py",
    "src/backend/careervp/observability.py",
)
"""Code every endpoint runs: a change there selects every endpoint phase."""
GENERATION = (
    "src/backend/careervp/generation/**",
    "src/backend/careervp/secret_values.py",
    "src/backend/careervp_local/messages_standin.py",
    "tests/unit/backend/test_generation_*",
    "tests/unit/backend/test_messages_standin.py",
)
"""Writing with the model (prompts, the Messages API call, its cost guard and key, the stand-in): a change
there selects every phase whose endpoint writes with it (9, 10)."""

_PHASES = (
    Phase(
        "0",
        "Infrastructure Reset & Naming Guardrails",
        ("infra/**", "src/backend/scripts/**", "tests/unit/infra/**", "tests/unit/scripts/**"),
        Blueprint(
            (*LINT, "naming", "unit", "synth"),
            tests(unit="tests/unit/infra tests/unit/scripts"),
        ),
        ("health",),
        ("synth",),
        "cdk diff of dev without deploying: `careervp-ci drift --env dev` (needs AWS credentials)",
    ),
    Phase(
        "8",
        "Company Research",
        (
            "src/backend/careervp/research/**",
            "src/backend/careervp/handlers/research.py",
            "src/backend/careervp/object_keys.py",
            "src/backend/careervp_local/fixture_site.py",
            "tests/unit/backend/test_research_*",
            "tests/unit/backend/test_company_research*",
            "tests/integration/test_company_research*",
            *CORE,
        ),
        Blueprint(
            (*LINT, "unit", "integration", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_research_scraper.py "
                "tests/unit/backend/test_company_research.py "
                "tests/unit/backend/test_company_research_api.py "
                "tests/unit/backend/test_object_keys.py",
                integration="tests/integration/test_company_research_over_http.py",
            ),
        ),
        ("company research",),
        (),
        "read-only against dev: `careervp-ci smoke --env dev --phase 8` (needs $CAREERVP_SMOKE_FIXTURE_SITE)",
    ),
    Phase(
        "gap-remediation",
        "Interim branch feature/gap-remediation (between phases 8 and 9)",
        (
            "src/backend/careervp/gap/**",
            "src/backend/careervp/answers.py",
            "src/backend/careervp/research/**",
            "tests/integration/test_gap_*",
        ),
        Blueprint(
            (*LINT, "naming", "unit", "integration", "synth"),
            {"integration": {"keyword": "gap or company_research"}},
        ),
        ("gap analysis", "cv tailoring"),
    ),
    Phase(
        "9",
        "CV Tailoring",
        (
            "src/backend/careervp/tailoring/**",
            "src/backend/careervp/handlers/tailoring.py",
            *GENERATION,
            "src/backend/careervp/gap/questions.py",
            "src/backend/careervp/gap/skills.py",
            "tests/unit/backend/test_cv_tailoring_*",
            "tests/integration/test_cv_tailoring_*",
            *CORE,
        ),
        Blueprint(
            (*LINT, "unit", "integration", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_cv_tailoring_api.py "
                "tests/unit/backend/test_generation_prompts.py "
                "tests/unit/backend/test_generation_client.py "
                "tests/unit/backend/test_messages_standin.py "
                "tests/unit/backend/test_object_keys.py",
                integration="tests/integration/test_cv_tailoring_over_http.py",
            ),
        ),
        ("cv tailoring",),
    ),
    Phase(
        "10",
        "Cover Letter",
        (
            "src/backend/careervp/letters/**",
            "src/backend/careervp/handlers/letters.py",
            *GENERATION,
            "tests/unit/backend/test_cover_letter_*",
            "tests/integration/test_cover_letters_*",
            *CORE,
        ),
        Blueprint(
            (*LINT, "unit", "integration", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_cover_letter_api.py "
                "tests/unit/backend/test_generation_prompts.py "
                "tests/unit/backend/test_generation_client.py "
                "tests/unit/backend/test_messages_standin.py "
                "tests/unit/backend/test_object_keys.py",
                integration="tests/integration/test_cover_letters_over_http.py",
            ),
        ),
        ("cover letter",),
    ),
    Phase(
        "11",
        "Gap Analysis",
        (
            "src/backend/careervp/gap/**",
            "src/backend/careervp/handlers/gap.py",
            "src/backend/careervp/answers.py",
            "tests/unit/backend/test_gap_*",
            "tests/integration/test_gap_*",
            *CORE,
        ),
        Blueprint(
            (*LINT, "unit", "integration", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_gap_questions.py tests/unit/backend/test_gap_analysis_api.py",
                integration="tests/integration/test_gap_analysis_over_http.py",
            ),
        ),
        ("gap analysis",),
    ),
    Phase(
        "12",
        "Interview Prep",
        (
            "src/backend/careervp/interview/**",
            "src/backend/careervp/handlers/interview.py",
            "src/backend/careervp/object_keys.py",
            "src/backend/careervp/answers.py",
            "tests/unit/backend/test_interview_*",
            "tests/integration/test_interview_prep_over_http.py",
            *CORE,
        ),
        Blueprint(
            (*LINT, "unit", "integration", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_interview_questions.py "
                "tests/unit/backend/test_interview_star.py "
                "tests/unit/backend/test_interview_prep_api.py "
                "tests/unit/backend/test_object_keys.py",
                integration="tests/integration/test_interview_prep_over_http.py",
            ),
        ),
        ("interview prep",),
    ),
    Phase(
        "13",
        "Knowledge Base",
        (
            "src/backend/careervp/kb/**",
            "src/backend/careervp/handlers/kb.py",
            "tests/unit/backend/test_kb_*",
            *CORE,
        ),
        Blueprint(
            (*LINT, "unit", "integration", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_kb_documents.py",
                integration="tests/integration/test_backend_over_http.py::test_kb_document_lifecycle_over_http",
            ),
        ),
        ("knowledge base",),
    ),
    Phase(
        "14",
        "Authentication (Cognito)",
        (
            "src/backend/careervp/resources.py",
            "src/backend/careervp_local/authorizer.py",
            "src/backend/careervp_local/signin.py",
            "src/backend/careervp_local/http_server.py",
            "src/backend/careervp_local/emulator.py",
            "infra/careervp_infra/auth.py",
            "infra/careervp_infra/api.py",
            "ci/src/careervp_ci/release/smoke_user.py",
            "tests/unit/backend/test_auth_*",
            "tests/unit/infra/test_infra_auth.py",
            "tests/integration/test_auth_*",
        ),
        Blueprint(
            (*LINT, "naming", "unit", "integration", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_auth_tokens.py "
                "tests/unit/backend/test_local_api_routing.py "
                "tests/unit/backend/test_openapi_contract.py "
                "tests/unit/infra/test_infra_auth.py",
                integration="tests/integration/test_auth_over_http.py",
            ),
        ),
        ("authentication",),
    ),
    Phase(
        "15",
        "Payments (Stripe)",
        (
            "src/backend/careervp/billing/**",
            "src/backend/careervp/handlers/billing.py",
            "tests/unit/backend/test_stripe_*",
            *CORE,
        ),
        Blueprint(
            (*LINT, "unit", "integration", "secrets", *ENDPOINT),
            tests(
                unit="tests/unit/backend/test_stripe_signature.py tests/unit/backend/test_stripe_webhook.py",
                integration="tests/integration/test_backend_over_http.py::"
                "test_stripe_webhook_over_http_records_the_subscription_once",
            ),
        ),
        ("billing",),
    ),
    Phase(
        "16",
        "Notifications (SES/SNS)",
        (
            "src/backend/careervp/notifications/**",
            "src/backend/careervp/handlers/notifier.py",
            "infra/careervp_infra/notification*.py",
            "tests/unit/backend/test_notification_*",
            "tests/unit/infra/test_infra_notifications.py",
            "tests/integration/test_notifications_*",
        ),
        Blueprint(
            (*LINT, "unit", "integration", "synth"),
            tests(
                unit="tests/unit/backend/test_notification_templates.py "
                "tests/unit/infra/test_infra_notifications.py",
                integration="tests/integration/test_notifications_over_moto.py",
            ),
        ),
        ("notifications",),
    ),
    Phase(
        "17",
        "CICD Pipeline Hardening",
        ("ci/**", ".github/**", "Makefile", "dagger.json", "tests/ci/**"),
        Blueprint((*LINT, "workflows", "pipeline-tests")),
        (),
        ("audit", "sbom", "synth"),
        "plus `careervp-ci drift --env dev` (cdk diff, coverage drift) with AWS credentials",
    ),
    Phase(
        "18",
        "Frontend SPA",
        (
            "frontend/**",
            "infra/careervp_infra/frontend.py",
            "ci/src/careervp_ci/pipeline/steps/frontend.py",
            "ci/src/careervp_ci/release/spa*.py",
            "tests/unit/infra/test_infra_frontend.py",
            "tests/ci/release/test_release_spa.py",
            "tests/ci/pipeline/test_frontend_step.py",
        ),
        Blueprint(
            (*LINT, *FRONTEND, "unit", "synth"),
            tests(unit="tests/unit/infra/test_infra_frontend.py tests/unit/infra/test_infra_naming.py"),
        ),
        ("frontend",),
    ),
    Phase(
        "19",
        "Monitoring & Observability",
        (
            "infra/careervp_infra/monitoring.py",
            "infra/careervp_infra/synthetics.py",
            "src/backend/careervp/observability.py",
            "src/backend/careervp/canary.py",
            "src/backend/careervp/handlers/canary.py",
            "src/backend/careervp/handlers/health.py",
            "tests/unit/backend/test_canary.py",
            "tests/unit/infra/test_infra_synthetics.py",
        ),
        Blueprint(
            (*LINT, "naming", "unit", "synth"),
            tests(unit="tests/unit/backend/test_canary.py tests/unit/infra/test_infra_synthetics.py"),
        ),
        ("monitoring",),
        ("synth",),
        "the monitoring row of `careervp-ci drift --env dev` (alarms, canary schedule; AWS credentials)",
    ),
    Phase(
        "20",
        "Security & Compliance",
        ("infra/careervp_infra/waf*", "tests/unit/infra/test_infra_waf.py"),
        Blueprint(
            (*LINT, "naming", "unit", "synth", "secrets"),
            tests(unit="tests/unit/infra/test_infra_waf.py tests/unit/infra/test_infra_naming.py"),
        ),
        ("security",),
        ("audit", "sbom", "secrets"),
    ),
)

PHASES: Mapping[str, Phase] = MappingProxyType({phase.id: phase for phase in _PHASES})
"""Every phase of the strategy by id, in the strategy's order."""

CHANGED = "changed"
"""`--phase changed`: the phases a diff touches (needs `--changed-from`)."""


def phase(phase_id: str) -> Phase:
    """The phase `phase_id`; a PlanError names the valid ids."""
    if phase_id not in PHASES:
        raise PlanError(f"unknown phase {phase_id!r}; valid phases: {', '.join(PHASES)}")
    return PHASES[phase_id]


def smoke_features(phase_id: str | None = None) -> tuple[str, ...]:
    """One phase's smoke features, or (None) every phase's that has smoke checks: what a deploy runs."""
    if phase_id is not None:
        return _smoke(phase(phase_id))
    features = (f for p in PHASES.values() if isinstance(p.smoke, tuple) for f in p.smoke)
    return tuple(dict.fromkeys(features))


def _smoke(entry: Phase) -> tuple[str, ...]:
    if isinstance(entry.smoke, Missing):
        raise PhaseNotImplemented(
            f"phase {entry.id} ({entry.title}) has no post-deploy smoke yet: {entry.smoke.reason}"
        )
    if not entry.smoke:
        raise PhaseNotImplemented(f"phase {entry.id} ({entry.title}) declares no post-deploy smoke checks")
    return entry.smoke


def describe(entry: Phase) -> list[str]:
    """What `careervp-ci steps` shows for a phase: its blueprint part by part, or why a part cannot run."""

    def part(value: object) -> str:
        if isinstance(value, Missing):
            return f"NOT IMPLEMENTED ({value.reason})"
        if isinstance(value, Blueprint):
            return ", ".join(_with_options(step, value.options.get(step, {})) for step in value.steps)
        names = ", ".join(str(item) for item in value) if isinstance(value, tuple) else ""
        return names or "none"

    nightly = part(entry.nightly) + (f"; {entry.nightly_note}" if entry.nightly_note else "")
    return [
        f"phase {entry.id}: {entry.title}" + ("" if entry.implemented else " (not implemented)"),
        f"    pr:      {part(entry.pr)}",
        f"    smoke:   {part(entry.smoke)}",
        f"    nightly: {nightly}",
    ]


def _with_options(step: str, options: Mapping[str, str]) -> str:
    if not options:
        return step
    return f"{step} ({'; '.join(f'{name} {value}' for name, value in options.items())})"
