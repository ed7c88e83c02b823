"""`careervp-ci`: the host twin of `dagger call`.

    careervp-ci steps                                   list the catalogue and the profiles
    careervp-ci <step> [--src DIR] [step options]       one step (and the steps it needs)
    careervp-ci test --suite unit|integration|regression|e2e
    careervp-ci ci [--profile pr|main|nightly|gap-remediation] [--changed-from REF] [--src DIR]
    careervp-ci ci --phase ID [--nightly]                one phase's blueprint (careervp_ci.pipeline.phases)
    careervp-ci ci --phase changed --changed-from REF   the blueprints of the phases a change touches
    careervp-ci ci --only STEP --from-cache-only        restore STEP's verified pass from the result cache or
                                                        the shared store; never run it (not cached: exit 0)
    careervp-ci serve [--port P] [--endpoint URL]       the API on 127.0.0.1 against an AWS emulator

Exit 0: every selected step passed (with --from-cache-only, or was not cached, so not run). 1: a step
failed (or ended unverified, see careervp_ci.host.report). 2: bad usage or configuration; the message
names the bad value and the valid ones.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from careervp_ci.errors import USAGE, CareervpError, UsageError
from careervp_ci.host import serve
from careervp_ci.host.cache import FROM_CACHE_ONLY, ResultCache, cache_root
from careervp_ci.host.executor import HostExecutor
from careervp_ci.host.progress import progress_for
from careervp_ci.host.report import (
    ALLOW_UNVERIFIED_ENV,
    exit_code,
    print_details,
    print_verdict,
    write_summary,
)
from careervp_ci.pipeline import phases
from careervp_ci.pipeline.plan import Plan, PlanError, build_plan, unknown
from careervp_ci.pipeline.profiles import PROFILES
from careervp_ci.pipeline.resolve import Request, Resolution, resolve
from careervp_ci.pipeline.steps.catalogue import CATALOGUE, SUITES
from careervp_ci.pipeline.steps.model import Step

PIPELINE_COMMANDS = ("steps", "test", "ci", *CATALOGUE)
"""Commands served without the release module, which pulls in the AWS emulator and takes about a second
to import: `careervp_ci.release.cli` is imported only for anything else (a release command, the help, or
an unknown name, which is then checked against every command)."""
INTERRUPTED = 130


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--src", type=Path, default=Path(), help="source tree to check (default: .)")
    parser.add_argument("--reports", type=Path, help="report folder (default: <src>/.reports)")
    parser.add_argument("--no-cache", action="store_true", help="run every step; store nothing")
    parser.add_argument("--workers", type=int, help="steps run at once (default: CPU cores)")


def _add_step_options(parser: argparse.ArgumentParser, step: Step) -> None:
    for option in step.options:
        parser.add_argument(
            f"--{option.name}", default=option.default, choices=option.choices or None, help=option.help
        )


def build_parser(with_release: bool, with_rehearse: bool = True) -> tuple[argparse.ArgumentParser, list[str]]:
    """The parser, and every command name it accepts (steps, builtins, release commands, and `rehearse`
    unless the command is known to be another: the rehearsal loads the Dagger SDK, ~1 s of CPU)."""
    parser = argparse.ArgumentParser(prog="careervp-ci", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("steps", help="list the steps, profiles and phases")
    for step in CATALOGUE.values():
        step_parser = commands.add_parser(step.name, help=step.summary)
        _add_run_arguments(step_parser)
        _add_step_options(step_parser, step)
    test = commands.add_parser("test", help="run one test suite")
    test.add_argument("--suite", required=True, help=f"one of: {', '.join(SUITES)}")
    _add_run_arguments(test)
    _add_step_options(test, SUITES["unit"])
    ci = commands.add_parser("ci", help="run a profile's steps")
    ci.add_argument("--profile", help=f"one of: {', '.join(PROFILES)} (default: pr)")
    ci.add_argument(
        "--phase",
        help=f"run a phase's blueprint instead of a profile: one of {', '.join(phases.PHASES)}, or "
        f"'{phases.CHANGED}' for the phases the changes since --changed-from touch",
    )
    ci.add_argument("--nightly", action="store_true", help="with --phase: the phase's nightly steps")
    ci.add_argument("--changed-from", metavar="REF", help="run only what the changes since REF call for")
    ci.add_argument("--seed", help="pin the random test order for every suite")
    ci.add_argument("--base-ref", help="baseline for OpenAPI breaking changes (default: --changed-from)")
    ci.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="STEP",
        help="run only STEP of the profile (and what it needs), with the profile's options",
    )
    ci.add_argument(
        "--given",
        action="append",
        default=[],
        metavar="STEP",
        help="a step --only STEP needs that already passed, its reports and outputs in the tree (a Dagger "
        "job is handed them by the jobs it waits for): not run again",
    )
    ci.add_argument(
        FROM_CACHE_ONLY,
        action="store_true",
        help="run no step: restore each step's verified pass from the result cache or the shared store, "
        "and report a step without one as not cached (exit 0); a Dagger job's probe of the store",
    )
    ci.add_argument(
        "--allow-unverified",
        action="append",
        default=[],
        metavar="STEP",
        help="exit 0 even if STEP ends unverified (it is still shown as UNVERIFIED)",
    )
    _add_run_arguments(ci)
    serve.register(commands)
    if with_release:
        from careervp_ci.release import cli as release_cli  # noqa: PLC0415  (see PIPELINE_COMMANDS)

        release_cli.register(commands)
    if with_release and with_rehearse:
        from careervp_ci.rehearsal import rehearse  # noqa: PLC0415

        rehearse.register(commands)
    return parser, list(commands.choices)


def list_steps() -> int:
    width = max(map(len, CATALOGUE))
    print("steps:")
    for step in CATALOGUE.values():
        print(f"  {step.name:<{width}}  {step.summary}")
    print("suites (careervp-ci test --suite NAME): " + ", ".join(SUITES))
    print("profiles:")
    for profile in PROFILES.values():
        print(f"  {profile.name:<{width}}  {profile.summary}: {', '.join(profile.steps)}")
    print("phases (careervp-ci ci --phase ID; careervp-ci smoke --env ENV --phase ID):")
    for phase in phases.PHASES.values():
        print("\n".join(f"  {line}" for line in phases.describe(phase)))
    return 0


def _options_from(args: argparse.Namespace, step: Step) -> dict[str, str | None]:
    values = vars(args)
    return {option.name: values.get(option.name.replace("-", "_")) for option in step.options}


def run_plan(
    plan: Plan,
    args: argparse.Namespace,
    title: str,
    allow_unverified: Sequence[str] = (),
    *,
    cache_only: bool = False,
) -> int:
    src = args.src.resolve()
    reports = (args.reports or src / ".reports").resolve()
    cache = None if args.no_cache else ResultCache(cache_root(src))
    executor = HostExecutor(
        src,
        reports,
        cache,
        progress_for(sys.stdout),
        accepted_unverified=frozenset(allow_unverified),
        cache_only=cache_only,
    )
    if args.workers:
        executor.workers = args.workers
    run = executor.run(plan)
    code = exit_code(run, allow_unverified)
    print_details(run, sys.stdout)
    print_verdict(run, code, sys.stdout)
    print(f"summary: {write_summary(run, code, title, reports)}")
    return code


def ci_request(args: argparse.Namespace) -> Request:
    """`ci`'s arguments as a request for the one resolver (`careervp_ci.pipeline.resolve`)."""
    return Request(
        profile=args.profile,
        phase=args.phase,
        nightly=args.nightly,
        changed_from=args.changed_from,
        seed=args.seed,
        base_ref=args.base_ref,
        only=tuple(args.only),
        given=tuple(args.given),
    )


def resolved(args: argparse.Namespace) -> Resolution:
    """What `ci` was asked for, as Plans, printing what change-aware selection decided."""
    resolution = resolve(ci_request(args), args.src.resolve())
    for note in resolution.notes:
        print(note)
    return resolution


def run_ci(args: argparse.Namespace, allowed: Sequence[str]) -> int:
    """Each resolved Plan in turn (the phases a change touches: steps they share are cache hits after the
    first); the first that fails ends the run."""
    if args.from_cache_only and args.no_cache:
        raise UsageError(f"{FROM_CACHE_ONLY} reads the result cache: drop --no-cache")
    code = 0
    for run in resolved(args).runs:
        code = max(code, run_plan(run.plan, args, run.title, allowed, cache_only=args.from_cache_only))
        if code:
            break
    return code


def allowed_from_env() -> list[str]:
    return [name.strip() for name in os.environ.get(ALLOW_UNVERIFIED_ENV, "").split(",") if name.strip()]


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "steps":
        return list_steps()
    if args.command == "serve":
        return serve.dispatch(args)
    if args.command == "rehearse":
        from careervp_ci.rehearsal import rehearse  # noqa: PLC0415

        return rehearse.dispatch(args)
    if args.command not in PIPELINE_COMMANDS:
        from careervp_ci.release import cli as release_cli  # noqa: PLC0415  (see PIPELINE_COMMANDS)

        return release_cli.dispatch(args)
    if not args.src.is_dir():
        raise PlanError(f"--src {str(args.src)!r} is not a directory")
    if args.command == "ci":
        return run_ci(args, [*args.allow_unverified, *allowed_from_env()])
    if args.command == "test":
        if args.suite not in SUITES:
            raise unknown("suite", args.suite, SUITES)
        suite = SUITES[args.suite]
        catalogue = {**CATALOGUE, suite.name: suite}
        plan = build_plan(catalogue, [suite.name], {suite.name: _options_from(args, suite)})
        return run_plan(plan, args, f"careervp-ci test --suite {suite.name}")
    step = CATALOGUE[args.command]
    plan = build_plan(CATALOGUE, [step.name], {step.name: _options_from(args, step)})
    return run_plan(plan, args, f"careervp-ci {step.name}")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    first = arguments[0] if arguments else "--help"
    with_release = first not in PIPELINE_COMMANDS
    parser, commands = build_parser(with_release, with_rehearse=first == "rehearse" or first.startswith("-"))
    if first not in commands and not first.startswith("-"):
        parser, commands = build_parser(with_release)  # an unknown name is checked against every command
    if arguments and not arguments[0].startswith("-") and arguments[0] not in commands:
        print(
            f"careervp-ci: unknown step {arguments[0]!r}; valid steps: {', '.join(CATALOGUE)}"
            f" (other commands: {', '.join(c for c in commands if c not in CATALOGUE)})",
            file=sys.stderr,
        )
        return USAGE
    args = parser.parse_args(arguments)
    try:
        return dispatch(args)
    except CareervpError as error:
        print(f"careervp-ci: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("careervp-ci: interrupted; running tools were stopped", file=sys.stderr)
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
