"""Which smoke checks a target runs, decided from data before any runs.

Two things decide it. The smoke its environment declares (`infra/environments.toml`: "read-only" for
prod) leaves out every check that is not `read_only`, and every check that reads what a left-out one would
have made.
The inputs the target has decide the rest: a check whose `{placeholder}` is an optional input the target
lacks (`smoke.OPTIONAL_INPUTS`, e.g. $CAREERVP_SMOKE_FIXTURE_SITE on AWS, which nothing provides) is not
verifiable there, with the reason, and so is every check that needs what it would have captured: a
missing input never fails a deploy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from careervp_ci.release.feature_checks import MARKS, NOT_ON_THIS_TARGET, FeatureCheck
from careervp_ci.release.smoke import GIVEN_TO_EVERY_RUN, OPTIONAL_INPUTS, Check
from careervp_ci.release.targets import Target


@dataclass(frozen=True)
class SmokePlan:
    http: tuple[Check, ...]
    """The HTTP checks to run, in order."""
    deployed: tuple[FeatureCheck, ...]
    """The checks of the deployed stack to run."""
    inputs: Mapping[str, str]
    """Optional inputs the target has: placeholder -> value ('' where the smoke makes it itself)."""
    unverifiable: tuple[str, ...]
    """A line per check that cannot be verified on this target, with the reason."""
    left_out: tuple[str, ...]
    """Checks a read-only smoke does not run: they write, call the model or send email."""

    @property
    def signs_in(self) -> bool:
        """Whether a check sends the smoke user's token (or one forged from it) or signs the user in."""
        sends = any({"id_token", "forged_token"} & check.placeholders() for check in self.http)
        return sends or any(check.signs_in for check in self.deployed)


def unverifiable_line(check: Check, reason: str) -> str:
    where = f"{check.method} {check.path}"
    return f"{MARKS['not verifiable']} {check.feature}: {check.name} ({where}) {NOT_ON_THIS_TARGET}: {reason}"


def available_inputs(target: Target, environ: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(placeholder -> value, placeholder -> why it is missing). An emulator's smoke makes every optional
    input itself (value ''); on AWS each comes from its variable."""
    found, missing = {}, {}
    for item in OPTIONAL_INPUTS:
        if target.kind == "emulator":
            found[item.placeholder] = ""
        elif value := environ.get(item.variable, ""):
            found[item.placeholder] = value
        else:
            missing[item.placeholder] = f"needs ${item.variable}, {item.what}; nothing sets it here"
    return found, missing


def plan_smoke(
    target: Target,
    environ: Mapping[str, str],
    http: tuple[Check, ...],
    deployed: tuple[FeatureCheck, ...],
) -> SmokePlan:
    """The plan of `http` and `deployed` (a phase's smoke, `service.smoke_checks`) on `target`."""
    inputs, missing = available_inputs(target, environ)
    read_only = target.read_only_smoke
    known = set(GIVEN_TO_EVERY_RUN) | set(inputs)
    dropped: set[str] = set()
    runs: list[Check] = []
    unverifiable: list[str] = []
    left_out: list[str] = []
    for check in http:
        needs = check.placeholders()
        if (read_only and not check.read_only) or needs & dropped:
            left_out.append(f"{check.feature}: {check.name}")
            dropped |= set(check.capture)
        elif lacking := sorted(needs & set(missing)):
            unverifiable.append(unverifiable_line(check, "; ".join(missing[name] for name in lacking)))
            because = f"needs what '{check.name}' would capture, and that is not verifiable here"
            missing |= {name: because for name in check.capture}
        elif unknown := sorted(needs - known):
            raise ValueError(
                f"smoke check {check.feature}: {check.name!r} uses {{{'}, {'.join(unknown)}}}, which no "
                "earlier check captures and no run is given (careervp_ci.release.smoke.CHECKS)"
            )
        else:
            runs.append(check)
            known |= set(check.capture)
    kept = tuple(check for check in deployed if check.read_only or not read_only)
    left_out += [f"{check.feature}: {check.name}" for check in deployed if check not in kept]
    return SmokePlan(tuple(runs), kept, inputs, tuple(unverifiable), tuple(left_out))
