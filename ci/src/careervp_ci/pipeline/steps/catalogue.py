"""The step catalogue: every gate by name, in the order a person reads the pipeline.

The host executor and the Dagger module both build from this mapping, so a step exists in both or neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from careervp_ci.pipeline.steps import (
    audit,
    coverage,
    docs,
    e2e,
    format,
    frontend,
    integration,
    lint,
    naming,
    openapi,
    pipeline_tests,
    regression,
    release_local,
    sbom,
    secrets,
    synth,
    typecheck,
    unit,
    workflows,
)
from careervp_ci.pipeline.steps.model import Step

_GATES = (
    format.STEP,
    lint.STEP,
    typecheck.STEP,
    naming.STEP,
    unit.STEP,
    integration.STEP,
    regression.STEP,
    coverage.STEP,
    synth.STEP,
    openapi.STEP,
    frontend.LINT,
    frontend.UNIT,
    frontend.BUILD,
    workflows.STEP,
    docs.STEP,
    pipeline_tests.STEP,
    secrets.STEP,
    audit.STEP,
    sbom.STEP,
)

_RELEASE = (release_local.STEP,)
"""build -> deploy local -> verify -> smoke, as one step (the release engineer's module)."""

RELEASE_PATH: tuple[str, ...] = tuple(step.name for step in _RELEASE)
"""The release steps the `main` profile ends with."""

CATALOGUE: Mapping[str, Step] = MappingProxyType({step.name: step for step in (*_GATES, *_RELEASE)})
"""Every catalogue step by name."""

SUITES: Mapping[str, Step] = MappingProxyType(
    {step.name: step for step in (unit.STEP, integration.STEP, regression.STEP, e2e.STEP)}
)
"""Suites reachable as `careervp-ci test --suite NAME` (e2e needs a deployed target: no profile runs it)."""
