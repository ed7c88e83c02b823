"""The verifier's report: one outcome per declared resource (or per setting of one)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    VERIFIED = "verified"
    DRIFTED = "drifted"
    """Missing, or different from what the template declares."""
    NOT_VERIFIABLE = "not-verifiable"
    """This target cannot show it; never counted as verified."""


@dataclass(frozen=True)
class Check:
    """What was checked about one declared resource, and what was found."""

    logical_id: str
    resource_type: str
    aspect: str
    outcome: Outcome
    detail: str

    def render(self) -> str:
        where = f"{self.logical_id} ({self.resource_type}) {self.aspect}"
        return f"{self.outcome.upper():<15} {where}: {self.detail}"


@dataclass(frozen=True)
class VerificationReport:
    """Every check for one environment's stack on one target (`synth`, `aws` or `emulator`)."""

    env: str
    stack_name: str
    target: str
    checks: tuple[Check, ...]

    def with_outcome(self, outcome: Outcome) -> list[Check]:
        return [check for check in self.checks if check.outcome is outcome]

    @property
    def ok(self) -> bool:
        """True when nothing drifted (not-verifiable checks are reported, not failed)."""
        return not self.with_outcome(Outcome.DRIFTED) and bool(self.checks)

    def render(self) -> str:
        order = (Outcome.DRIFTED, Outcome.NOT_VERIFIABLE, Outcome.VERIFIED)
        lines = [check.render() for outcome in order for check in self.with_outcome(outcome)]
        counts = ", ".join(f"{len(self.with_outcome(outcome))} {outcome.value}" for outcome in order)
        lines.append(f"{self.stack_name} on {self.target}: {counts}")
        return "\n".join(lines)
