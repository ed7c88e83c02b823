"""The one resolver (`careervp_ci.pipeline.resolve`): every way of naming a run becomes the same Plan, and a
request that cannot run says why before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from careervp_ci.pipeline.plan import PlanError
from careervp_ci.pipeline.resolve import Request, chosen_profile, resolve


def test_a_phase_and_its_profile_name_resolve_to_the_same_plan() -> None:
    (by_phase,) = resolve(Request(phase="12")).runs
    (by_name,) = resolve(Request("phase-12")).runs
    assert by_phase == by_name
    assert by_phase.title == "careervp-ci ci --profile phase-12"


def test_no_name_is_the_pr_profile() -> None:
    assert chosen_profile(Request()).name == "pr"


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (Request("pr", phase="12"), "--phase '12' and --profile 'pr': give one of them"),
        (Request("pr", nightly=True), "--nightly needs --phase ID"),
        (Request(phase="changed"), "--phase changed needs --changed-from REF"),
        (Request("main", phase="changed", changed_from="HEAD"), "--phase changed takes neither"),
        (Request(phase="7"), "unknown phase '7'; valid phases: 0, 8"),
        (Request("pr", only=("audit",)), "--only 'audit' is no step of profile pr"),
    ],
)
def test_a_request_that_cannot_run_names_why(request_: Request, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        resolve(request_, Path())


def test_a_plan_exposes_its_nodes_and_edges() -> None:
    (run,) = resolve(Request("main")).runs
    assert ("coverage", "unit") in run.plan.edges and ("naming", "synth") in run.plan.edges
    gates = {node for node in run.plan.nodes if node != "release-local"}
    assert {need for step, need in run.plan.edges if step == "release-local"} == gates


def test_given_steps_are_not_run_nor_waited_for() -> None:
    (run,) = resolve(Request("pr", only=("coverage",), given=("unit", "integration"))).runs
    assert run.plan.nodes == ("coverage",)
    assert run.plan.edges == ()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (("lint",), "given steps no planned step needs: lint"),
        (("coverage",), "step 'coverage' is asked to run and given as already passed"),
        (("nonesuch",), "unknown step 'nonesuch'"),
    ],
)
def test_a_given_step_must_be_one_a_planned_step_needs(given: tuple[str, ...], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        resolve(Request("pr", only=("coverage",), given=given))
