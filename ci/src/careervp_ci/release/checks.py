"""The smoke run after a deploy and by `smoke`: each phase's checks over HTTP (release.smoke) and of the
deployed stack (release.feature_checks), as planned for the target (release.smoke_plan)."""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path

from careervp_local.fixture_site import serve_fixture_site

from careervp_ci.pipeline import phases
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.context import Log
from careervp_ci.release.errors import SmokeUserFailed
from careervp_ci.release.feature_checks import CHECKS as FEATURE_CHECKS
from careervp_ci.release.feature_checks import DeployedTarget, FeatureCheck, run_feature_checks
from careervp_ci.release.served_api import served_api, smoke_user
from careervp_ci.release.smoke import SECRET_ENV, Check, checks_for, run_checks
from careervp_ci.release.smoke_plan import plan_smoke
from careervp_ci.release.smoke_user import SmokeUser
from careervp_ci.release.spa_smoke import REPORTS_ENV as SMOKE_REPORTS_ENV
from careervp_ci.release.spa_smoke import LocalSpa, serve_deployed_spa
from careervp_ci.release.targets import Target


def smoke_checks(phase: str | None = None) -> tuple[tuple[Check, ...], tuple[FeatureCheck, ...]]:
    """The smoke of every phase, or of `phase`: its checks over HTTP (release.smoke) and its checks of the
    deployed stack (release.feature_checks); a PhaseNotImplemented names a phase that has none."""
    features = phases.smoke_features(phase)
    on_the_stack = {check.feature for check in FEATURE_CHECKS}
    http = [feature for feature in features if feature not in on_the_stack]
    deployed = tuple(check for check in FEATURE_CHECKS if check.feature in features)
    return (checks_for(http) if http else ()), deployed


def run_smoke(
    target: Target,
    session: AwsSession,
    stack_outputs: dict[str, str],
    secrets: dict[str, str],
    commit: str,
    *,
    repo: Path,
    log: Log,
    phase: str | None = None,
) -> list[str]:
    """Every phase's smoke checks (a deploy), or one phase's (`smoke --phase`): a read-only smoke leaves
    out what writes, and a check that needs an input the target lacks is not verifiable there. Company
    research reads a fixture site: served here for an emulator, `$CAREERVP_SMOKE_FIXTURE_SITE` (a public
    copy) on AWS. On an emulator the SPA is served from 127.0.0.1 first, so the locally served API can allow
    its origin in CORS. A smoke user who cannot sign in is the one failing line."""
    plan = plan_smoke(target, os.environ, *smoke_checks(phase))
    if plan.left_out:
        log(
            f'{target.name}\'s smoke is read-only (targets: smoke = "read-only"): left out, as they '
            f"write, call the model or send email: {'; '.join(plan.left_out)}"
        )
    with ExitStack() as stack:
        given = dict(plan.inputs)
        if target.kind != "aws":
            given["fixture_site"] = stack.enter_context(serve_fixture_site())
        user: SmokeUser | None = None
        if plan.signs_in:
            try:
                user = stack.enter_context(smoke_user(target, session, stack_outputs, log))
            except SmokeUserFailed as error:
                return [f"FAIL authentication: {error}"]
            given["id_token"] = user.id_token
        spa: LocalSpa | None = None
        if target.kind != "aws" and any(check.feature == "frontend" for check in plan.deployed):
            spa = stack.enter_context(serve_deployed_spa(session, stack_outputs))
        secret = secrets[SECRET_ENV]
        base_url = stack.enter_context(
            served_api(
                target,
                session,
                stack_outputs,
                secret,
                commit,
                log=log,
                pool=user.pool if user else None,
                spa_origin=spa.origin if spa else "",
            )
        )
        results = run_checks(base_url, secret, plan.http, given) if plan.http else []
        lines = [result.line() for result in results]
        if all(result.ok for result in results):
            lines += plan.unverifiable
            if spa is not None:
                spa.call_api(base_url)
            deployed = DeployedTarget(
                base_url,
                target.stack_env,
                target.kind == "emulator",
                session,
                outputs=stack_outputs,
                spa_url=spa.url if spa else "",
                reports=Path(os.environ.get(SMOKE_REPORTS_ENV) or repo / ".reports" / "smoke"),
                user=user,
            )
            lines += run_feature_checks(deployed, plan.deployed)
        return lines
