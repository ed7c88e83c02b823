"""The strategy's phases as data (`careervp_ci.pipeline.phases`): every phase listed, each implemented
blueprint runnable as it is declared, and a phase whose feature is missing failing by name instead of passing
empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.dagger_module.plan import main as dagger_plan_main
from careervp_ci.dagger_module.plan import request_jobs
from careervp_ci.host.cli import main
from careervp_ci.pipeline import phases
from careervp_ci.pipeline.changes.select import touched
from careervp_ci.pipeline.plan import PlanError, build_plan
from careervp_ci.pipeline.resolve import Request, phase_profile, profile_named
from careervp_ci.pipeline.steps.catalogue import CATALOGUE
from careervp_ci.release.checks import smoke_checks
from careervp_ci.release.feature_checks import CHECKS as FEATURE_CHECKS
from careervp_ci.release.smoke import CHECKS, Check, checks_for, run_checks
from careervp_local.fixture_site import serve_fixture_site
from support.fixture_project import CliRunner, write

ROOT = Path(__file__).resolve().parents[3]
STRATEGY_PHASES = ("0", "8", "gap-remediation", "9", *map(str, range(10, 21)))
"""The strategy's "Phase-Specific Workflow Guidance", in its order (phase 0, 8, the interim branch, 9-20)."""
IMPLEMENTED = [p for p in phases.PHASES.values() if p.implemented]
PLANTED = phases.Phase(
    "99",
    "Planted Feature",
    ("planted/**",),
    phases.Missing("no planted feature in this tree"),
    phases.Missing("no planted endpoint to smoke"),
)
"""Every phase of the strategy exists now; a phase yet to be built is planted to show how one fails."""


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> phases.Phase:
    monkeypatch.setattr(phases, "PHASES", {**phases.PHASES, PLANTED.id: PLANTED})
    return PLANTED


def test_every_phase_of_the_strategy_is_implemented() -> None:
    assert [p.id for p in phases.PHASES.values() if not p.implemented] == []


def test_every_phase_of_the_strategy_has_one_entry_in_its_order() -> None:
    assert tuple(phases.PHASES) == STRATEGY_PHASES


@pytest.mark.parametrize("phase", IMPLEMENTED, ids=lambda p: p.id)
def test_an_implemented_phase_plans_catalogue_steps_with_options_they_take(phase: phases.Phase) -> None:
    profile = phase_profile(phase)
    plan = build_plan(CATALOGUE, profile.steps, profile.options)
    assert {step.name for step in plan.steps} >= set(profile.steps)


@pytest.mark.parametrize("phase", IMPLEMENTED, ids=lambda p: p.id)
def test_the_tests_an_implemented_phase_names_exist(phase: phases.Phase) -> None:
    profile = phase_profile(phase)
    named = [path for values in profile.options.values() for path in values.get("paths", "").split()]
    missing = [path for path in named if not (ROOT / path.split("::")[0]).exists()]
    assert not missing


def test_a_phase_not_implemented_fails_with_its_name_and_reason(
    planted: phases.Phase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ci", "--phase", planted.id]) == 1
    error = capsys.readouterr().err
    assert "phase 99 (Planted Feature) is not implemented: no planted feature in this tree" in error
    assert len(error.strip().splitlines()) == 1


def test_an_unknown_phase_is_bad_usage_naming_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ci", "--phase", "7"]) == 2
    assert "unknown phase '7'; valid phases: 0, 8, gap-remediation" in capsys.readouterr().err


def test_phase_and_profile_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ci", "--phase", "11", "--profile", "pr"]) == 2
    assert "give one of them" in capsys.readouterr().err


def test_nightly_of_a_phase_without_nightly_steps_fails_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ci", "--phase", "11", "--nightly"]) == 1
    assert "phase 11 (Gap Analysis) declares no nightly steps" in capsys.readouterr().err


def test_steps_lists_every_phase_with_its_blueprint(
    planted: phases.Phase, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["steps"]) == 0
    listing = capsys.readouterr().out
    for phase in phases.PHASES.values():
        assert f"phase {phase.id}: {phase.title}" in listing
    assert "unit (paths tests/unit/backend/test_gap_questions.py" in listing
    assert "smoke:   NOT IMPLEMENTED (no planted endpoint to smoke" in listing


def test_every_smoke_check_belongs_to_a_phase_and_every_phase_smoke_has_checks() -> None:
    """HTTP checks (release.smoke) and checks of the deployed stack (release.feature_checks) together."""
    deployed = phases.smoke_features()
    stack_features = {check.feature for check in FEATURE_CHECKS}
    assert {check.feature for check in CHECKS} | stack_features == set(deployed)
    for phase in phases.PHASES.values():
        if isinstance(phase.smoke, tuple) and phase.smoke:
            http = [feature for feature in phase.smoke if feature not in stack_features]
            assert (checks_for(http) if http else ()) or stack_features & set(phase.smoke), phase.id


def test_smoke_of_one_phase_runs_only_its_checks() -> None:
    checks = checks_for(phases.smoke_features("11"))
    assert checks and {check.feature for check in checks} == {"gap analysis"}


@pytest.mark.parametrize(
    ("phase_id", "expected"),
    [("99", "phase 99 .* has no post-deploy smoke yet"), ("17", "declares no post-deploy smoke checks")],
)
@pytest.mark.usefixtures("planted")
def test_smoke_of_a_phase_without_checks_fails_naming_it(phase_id: str, expected: str) -> None:
    with pytest.raises(phases.PhaseNotImplemented, match=expected):
        phases.smoke_features(phase_id)


def test_a_feature_without_smoke_checks_is_refused_never_smoked_empty() -> None:
    with pytest.raises(ValueError, match="no smoke checks for telepathy"):
        checks_for(["telepathy"])


@pytest.mark.parametrize(
    ("path", "phase_ids"),
    [
        ("src/backend/careervp/kb/store.py", {"13"}),
        ("src/backend/careervp/gap/questions.py", {"9", "11", "gap-remediation"}),
        ("src/backend/careervp/answers.py", {"11", "12", "gap-remediation"}),
        ("src/backend/careervp/generation/client.py", {"9", "10"}),
        ("src/backend/careervp/letters/prompt.py", {"10"}),
        ("src/backend/careervp/api.py", {"8", "9", "10", "11", "12", "13", "15"}),
        ("infra/careervp_infra/naming.py", {"0"}),
        ("ci/src/careervp_ci/host/executor.py", {"17"}),
        ("README.md", set()),
    ],
)
def test_a_change_selects_the_phases_that_own_its_path(path: str, phase_ids: set[str]) -> None:
    assert {phase.id for phase, _ in touched([path])} == phase_ids


def test_every_module_of_the_product_belongs_to_a_phase() -> None:
    """A module no phase claims is never selected by `ci --phase changed`: a new module must be placed."""
    package = ROOT / "src" / "backend" / "careervp"
    modules = [p.relative_to(ROOT).as_posix() for p in package.rglob("*.py") if p.name != "__init__.py"]
    assert modules
    assert [module for module in sorted(modules) if not touched([module])] == []


@pytest.mark.usefixtures("planted")
def test_changed_runs_the_touched_phases_and_names_the_unimplemented_ones(
    fixture_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(fixture_tree, "planted/feature.py", "TITLE = 'CareerVP'\n")
    code = main(["ci", "--phase", "changed", "--changed-from", "HEAD", "--src", str(fixture_tree)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "phases touched since HEAD: 99" in out
    assert "phase 99 (Planted Feature): planted/feature.py; not implemented" in out


def test_dagger_plans_a_phase_as_the_phase_profile_sharing_pr_jobs() -> None:
    jobs = {job.step: job for job in request_jobs(Request("phase-11")).jobs}
    assert jobs["lint"].profile == "pr"
    assert jobs["unit"].profile == "phase-11"
    assert "paths" in jobs["unit"].options


@pytest.mark.usefixtures("planted")
def test_dagger_plan_of_a_missing_phase_fails_with_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert dagger_plan_main(["phase-99"]) == 1
    assert "phase 99 (Planted Feature) is not implemented" in capsys.readouterr().err


def test_unknown_profile_names_the_phase_profiles_too() -> None:
    with pytest.raises(PlanError, match="phase-11"):
        profile_named("phase-99")


def test_a_suite_runs_only_the_named_tests(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    argv = ("test", "--suite", "unit", "--no-cache", "--paths", "tests/unit/test_pricing.py")
    result = careervp_ci(*argv, cwd=fixture_tree)
    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout


def test_a_named_selection_that_collects_nothing_fails(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    argv = ("test", "--suite", "unit", "--no-cache", "--paths", "tests/unit", "--keyword", "no_such_test")
    result = careervp_ci(*argv, cwd=fixture_tree)
    assert result.returncode == 1
    assert "the selection collected no test in tests/unit" in result.stdout


def test_named_tests_that_do_not_exist_fail_naming_them(fixture_tree: Path, careervp_ci: CliRunner) -> None:
    argv = ("test", "--suite", "unit", "--no-cache", "--paths", "tests/unit/test_gone.py")
    result = careervp_ci(*argv, cwd=fixture_tree)
    assert result.returncode == 1
    assert "--paths names tests that do not exist: tests/unit/test_gone.py" in result.stdout


def test_a_smoke_expectation_past_the_end_of_a_list_fails_the_check_instead_of_crashing() -> None:
    check = Check("f", "empty list", "GET", "/x", 200, expect={"items.0": "a"})
    with serve_fixture_site({"/x": (200, "application/json", '{"items": []}')}) as site:
        (result,) = run_checks(site, "unused-secret", (check,))
    assert not result.ok
    assert "items.0 is None, expected 'a'" in result.detail


def test_the_smoke_of_every_phase_splits_into_http_checks_and_checks_of_the_deployed_stack() -> None:
    http, deployed = smoke_checks()
    assert {check.feature for check in http} | {check.feature for check in deployed} == set(
        phases.smoke_features()
    )
    assert {check.feature for check in deployed} == {"monitoring", "security", "notifications", "frontend"}
    only_the_spa = smoke_checks("18")
    assert only_the_spa[0] == () and {check.feature for check in only_the_spa[1]} == {"frontend"}
    only_security = smoke_checks("20")
    assert only_security[0] == () and {check.feature for check in only_security[1]} == {"security"}
