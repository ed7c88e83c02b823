"""Profiles as data: which steps a pipeline run takes and how its tests are selected.

- every profile runs `pipeline-tests` (tests/ci: the pipeline checks itself) and the SPA's own checks
  (`frontend-lint`, `frontend-unit`, `frontend-build`: its locked npm project in frontend/).
- `pr`: the pull-request bar; light integration (`-m "not slow"`), the docs check (Markdown format and
  internal links) and the secret scan. No audit/SBOM: those are supply-chain checks of the lockfiles that
  `main` and `nightly` run (and audit cannot verify offline).
- `main`: the full bar, supply chain, then the release path (build -> deploy local -> verify -> smoke,
  `careervp_ci.pipeline.steps.release_local`), which starts only once every gate has passed.
- `nightly`: the full bar and supply chain without deploying.
- `gap-remediation`: the `pr` bar with integration narrowed to the gap work (`-k "gap or company_research"`,
  slow tests included), for branches working on gap remediation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from careervp_ci.pipeline.steps.catalogue import CATALOGUE, RELEASE_PATH


@dataclass(frozen=True)
class Profile:
    name: str
    summary: str
    steps: tuple[str, ...]
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """step -> option -> value: the test selection (and other per-profile settings)."""
    final: tuple[str, ...] = ()
    """Steps that start only after every other step of the run has passed (the release path)."""


_FAST_GATES = ("format", "lint", "typecheck", "naming")
_CONTRACTS = (
    "synth",
    "openapi",
    "frontend-lint",
    "frontend-unit",
    "frontend-build",
    "workflows",
    "pipeline-tests",
)
_PR_ONLY = ("docs", "secrets")
_SUPPLY_CHAIN = ("audit", "sbom")

PROFILES: Mapping[str, Profile] = MappingProxyType(
    {
        "pr": Profile(
            "pr",
            "pull-request bar: fast gates, unit, light integration, coverage, contracts, docs, secret scan",
            (*_FAST_GATES, "unit", "integration", "coverage", *_CONTRACTS, *_PR_ONLY),
            {"integration": {"marker": "not slow"}},
        ),
        "main": Profile(
            "main",
            "full bar, supply chain, then the release path to the local emulator",
            (
                *_FAST_GATES,
                "unit",
                "integration",
                "regression",
                "coverage",
                *_CONTRACTS,
                *_SUPPLY_CHAIN,
                *RELEASE_PATH,
            ),
            final=RELEASE_PATH,
        ),
        "nightly": Profile(
            "nightly",
            "full bar and supply chain, no deploy",
            (*_FAST_GATES, "unit", "integration", "regression", "coverage", *_CONTRACTS, *_SUPPLY_CHAIN),
        ),
        "gap-remediation": Profile(
            "gap-remediation",
            "pr bar with integration targeted at gap remediation (slow tests included)",
            (*_FAST_GATES, "unit", "integration", "coverage", *_CONTRACTS, *_PR_ONLY),
            {"integration": {"keyword": "gap or company_research"}},
        ),
    }
)


def whole_suites(profile: Profile) -> tuple[str, ...]:
    """The test folders a passing run of `profile` has run every test of: its suite steps whose selection
    the profile leaves whole (no marker, keyword or paths)."""
    return tuple(
        suite for name in profile.steps if (suite := CATALOGUE[name].suite) and not profile.options.get(name)
    )
