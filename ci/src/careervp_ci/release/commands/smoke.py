"""`smoke`: run the smoke checks of every phase, or of one, against what an environment runs."""

from __future__ import annotations

import argparse

from careervp_ci.pipeline.phases import PhaseNotImplemented
from careervp_ci.release.checks import run_smoke, smoke_checks
from careervp_ci.release.cloudformation import outputs
from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseFailed, doing
from careervp_ci.release.session import live, open_session
from careervp_ci.release.smoke import smoke_passed


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "smoke", help="run the smoke checks against the live stack (needs credentials and the store only)"
    )
    parser.add_argument("--env", required=True)
    add_store(parser)
    parser.add_argument("--phase", help="only this phase's checks (careervp-ci steps lists phases)")


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print("\n".join(smoke(release, args.env, args.phase)))


def smoke(release: ReleaseContext, env: str, phase: str | None = None) -> list[str]:
    """The smoke lines; a phase that has no checks fails, naming why, before anything is reached."""
    with doing(f"smoke --phase {phase}", PhaseNotImplemented):
        smoke_checks(phase)
    target = release.target_for(env)
    release.require_persistent(target, "smoke")
    secrets = release.require_secrets(target)
    with open_session(target) as session:
        running = live(target, session)
        lines = run_smoke(
            target,
            session,
            outputs(running.stack),
            secrets,
            running.commit or "unknown",
            repo=release.repo,
            log=release.log,
            phase=phase,
        )
    if not smoke_passed(lines):
        raise ReleaseFailed(f"smoke {env} ({running.digest}) failed:\n" + "\n".join(lines))
    return lines
