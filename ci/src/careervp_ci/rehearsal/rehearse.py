"""`careervp-ci rehearse`: every workflow's `dagger call` chain, executed here in real containers.

One AWS emulator (moto on loopback) outlives every job, as AWS outlives a workflow run; every release target
points at it through a targets file mounted into the containers, and the artifact store is a bucket in it.
Secrets and variables come from one table, the way GitHub environments would provide them. The report
(`.reports/rehearsal/report.json`) lists every `dagger call` with its containers, image, exit code and time;
`report.jobs.log` beside it holds every step's output, with the time each container took. Worlds that share
no state but the result store run side by side, each in its own process with its own emulator
(`<world>.json`, `.log`, `.jobs.log`); the validation world starts once the release world's first call (main's
validation) has filled the result store.

The step-result store outlives the calls, the worlds and the rehearsal, as the artifact store's `results/`
outlives runners: a folder (`--result-store`, default `<rehearsal cache>/results`) mounted into every
container where the workflows' CAREERVP_RESULT_STORE names it; each call records the steps it took from it.
`--fresh-engine` runs as a new GitHub runner would: an empty layer store of its own, removed afterwards,
with the result store kept.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from careervp_infra.environments import load_environments

from careervp_ci.github.workflows import WorkflowError
from careervp_ci.host.report import ALLOW_UNVERIFIED_ENV
from careervp_ci.rehearsal import dagger_cli, image, runtime
from careervp_ci.rehearsal.layers import prune_layers, remove_volumes
from careervp_ci.rehearsal.podman import RehearsalUnavailable, require_tools
from careervp_ci.rehearsal.scenarios import SCENARIOS, Scenario, commit, prepare
from careervp_ci.rehearsal.slack import SlackStandIn, slack_stand_in
from careervp_ci.rehearsal.standins import Run
from careervp_ci.rehearsal.workflow import RehearsalFailed, Settings, WorkflowRun, base_env, shim_bin

STORE_BUCKET = "careervp-rehearsal-artifacts"
TARGETS_IN_CONTAINER = "/etc/careervp-rehearsal/targets.toml"
REGION = "us-east-1"
ROLES = load_environments().role_secrets
SECRETS: dict[str, str] = {
    **{role: f"arn:aws:iam::123456789012:role/rehearsal-{role.lower()}" for role in ROLES},
    "STRIPE_WEBHOOK_SECRET": "rehearsal-webhook-secret-not-real",
    "ANTHROPIC_API_KEY": "rehearsal-anthropic-key-not-real",
    "CODECOV_TOKEN": "rehearsal-codecov-token-not-real",
    "SLACK_WEBHOOK": "",
}
"""What the repository's environments hold, as plainly fake values (the emulator accepts any); SLACK_WEBHOOK
is replaced by each world's Slack stand-in (`rehearsal.slack`)."""
RESULT_STORE_IN_CONTAINER = "/var/cache/careervp-results"
"""Where every container finds the result store's folder, the path the workflows' CAREERVP_RESULT_STORE
names in a rehearsal (`dagger call ci --result-store PATH`)."""
VARIABLES = {
    "AWS_REGION": REGION,
    "CAREERVP_ARTIFACT_STORE": f"s3://{STORE_BUCKET}/releases",
    "CAREERVP_RESULT_STORE": RESULT_STORE_IN_CONTAINER,
    "CAREERVP_RESULT_STORE_WRITE": "every-run",
}
"""The repository's variables. Every rehearsed run writes the result store: it is this machine's own."""
UNVERIFIABLE_HERE = ("audit",)
"""Steps whose service no machine here reaches (the vulnerability databases): they may end UNVERIFIED in a
rehearsal, and say so in its output; on GitHub nothing is allowed to."""
SUBSTITUTIONS = (
    f"image: {image.STANDS_IN_FOR} -> a local Debian trixie image shaped like it (rehearsal.image)",
    "AWS: every target and the artifact store -> one moto server on loopback (a mounted targets file)",
    "uses: steps -> the stand-ins of rehearsal.standins; secrets and variables -> rehearsal.rehearse tables",
    "Slack's incoming webhook -> a loopback server that keeps each message (rehearsal.slack)",
    f"steps allowed to end UNVERIFIED here: {', '.join(UNVERIFIABLE_HERE)} (no vulnerability service)",
    "the result store (s3://.../results on GitHub) -> a folder on this machine (--result-store), mounted "
    f"read-write at {RESULT_STORE_IN_CONTAINER} in every container; every run writes it",
)
"""What a rehearsal substitutes, recorded in every report."""
STARTS_AFTER = {"validation": "release"}
"""World -> the world whose first call it waits for. The release world's first call is main's validation,
which writes the result store; the pull requests' gates then read it, as on GitHub, where the pull request
branches from a main that was validated. Started together, both ran every gate from an empty store at once,
each twice on the same two cores."""
USAGE_ERROR = 2


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rehearse = commands.add_parser("rehearse", help="run the workflows' dagger calls in local containers")
    rehearse.add_argument(
        "--workflow",
        action="append",
        default=[],
        metavar="NAME",
        help=f"a workflow to rehearse (file name without .yml; default: all of {', '.join(workflows())})",
    )
    rehearse.add_argument("--src", type=Path, default=Path.cwd(), help="the repository (default: here)")
    rehearse.add_argument("--report", type=Path, help="default: <src>/.reports/rehearsal/report.json")
    rehearse.add_argument(
        "--result-store",
        type=Path,
        metavar="FOLDER",
        help=f"the step-result store every call shares (default: {default_result_store()}, kept between "
        "rehearsals)",
    )
    rehearse.add_argument(
        "--fresh-engine",
        action="store_true",
        help="run as a new GitHub runner would: an empty layer store of its own (removed afterwards); the "
        "result store is kept",
    )


def default_result_store() -> Path:
    """The result store's folder beside the rehearsal's layers: it outlives every rehearsal."""
    return dagger_cli.cache_dir() / "results"


def result_store_folder(named: Path | None) -> Path:
    """The result store's folder, made if missing; a name that is not a folder is refused, naming it."""
    if named is not None and str(named).startswith(("s3:", "file:")):
        raise RehearsalUnavailable(
            f"--result-store {named}: name a folder on this machine; a rehearsal reaches no S3 but its own "
            "emulator's, which ends with it"
        )
    folder = (named or default_result_store()).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise RehearsalUnavailable(f"--result-store {folder}: exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def fresh_engine() -> Iterator[Path]:
    """An empty layer store of the rehearsal's own for this process and the calls it starts, removed
    afterwards with its cache volumes (its committed images keep their keys' tags and are pruned with every
    other layer)."""
    folder = Path(tempfile.mkdtemp(prefix="fresh-engine-", dir=dagger_cli.cache_dir().parent))
    before = os.environ.get(dagger_cli.CACHE_ENV)
    os.environ[dagger_cli.CACHE_ENV] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop(dagger_cli.CACHE_ENV, None)
        else:
            os.environ[dagger_cli.CACHE_ENV] = before
        remove_volumes(folder)
        shutil.rmtree(folder, ignore_errors=True)


def workflows(scenarios: Sequence[Scenario] = SCENARIOS) -> list[str]:
    return list(dict.fromkeys(scenario.workflow for scenario in scenarios))


def selected(names: Sequence[str]) -> list[Scenario]:
    """The scenarios of the named workflows and of the workflows they build on, in rehearsal order."""
    unknown = sorted(set(names) - set(workflows()))
    if unknown:
        raise ValueError(f"unknown workflow {unknown[0]!r}; rehearsed workflows: {', '.join(workflows())}")
    wanted = set(names or workflows())
    for scenario in SCENARIOS:
        if scenario.workflow in wanted:
            wanted |= set(scenario.after)
    return [scenario for scenario in SCENARIOS if scenario.workflow in wanted]


def _targets(endpoint: str, scratch: Path) -> Path:
    """A targets file binding every environment of the registry to the rehearsal's emulator."""
    lines = []
    for name in load_environments().names:
        lines += [f'[targets."{name}"]', f"endpoint = {json.dumps(endpoint)}"]
    path = scratch / "targets.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _check(scenario: Scenario, results: dict[str, dict[str, Any]]) -> None:
    for job, result in results.items():
        if " / " in job:
            continue
        expected = scenario.expect.get(job, "success")
        if result["result"] != expected:
            raise RehearsalFailed(
                f"{scenario.name}: job {job!r} ended {result['result']}, expected {expected}"
            )


@dataclass
class World:
    """What outlives the jobs of every rehearsed workflow: the repository, the emulator, the settings."""

    repo: Path
    scratch: Path
    settings: Settings
    engine_version: str
    endpoint: str
    slack: SlackStandIn
    runs: int = 0

    def run(self, scenario: Scenario) -> dict[str, dict[str, Any]]:
        """Rehearse one scenario; RehearsalFailed names the workflow, job and step that failed."""
        from careervp_ci.release.emulator import EMULATOR_CREDENTIALS  # noqa: PLC0415

        self.runs += 1
        run = Run(
            repo=self.repo,
            sha=commit(self.repo, scenario.head),
            ref=scenario.ref,
            base_sha=commit(self.repo, scenario.base),
            artifacts=self.scratch / "artifacts" / str(self.runs),
            attestations=self.scratch / "attestations.jsonl",
            engine_version=self.engine_version,
            emulator_credentials=EMULATOR_CREDENTIALS,
        )
        may_fail = frozenset(job for job, result in scenario.expect.items() if result == "failure")
        workflow = WorkflowRun(
            self.repo,
            scenario.workflow,
            run,
            scenario.event,
            self.settings,
            dict(scenario.event.inputs),
            may_fail=may_fail,
        )
        posted = len(self.slack.messages)
        results = workflow.execute()
        _check(scenario, results)
        self._check_slack(scenario, self.slack.messages[posted:])
        self._check_stacks(scenario)
        return results

    def _check_slack(self, scenario: Scenario, messages: list[str]) -> None:
        """One message, one drift table with every environment's rows (release.drift_table)."""
        if not scenario.slack_tables:
            return
        if len(messages) != 1:
            raise RehearsalFailed(
                f"{scenario.name}: Slack received {len(messages)} messages, expected one drift table"
            )
        missing = [env for env in scenario.slack_tables if f"\n| {env} | `" not in messages[0]]
        if missing:
            raise RehearsalFailed(
                f"{scenario.name}: the drift table in Slack has no measured rows for {', '.join(missing)}:\n"
                f"{messages[0]}"
            )

    def _check_stacks(self, scenario: Scenario) -> None:
        """A sandbox the scenario deploys must be gone afterwards: no stack of its environment is left."""
        from careervp_ci.release.emulator import EMULATOR_CREDENTIALS  # noqa: PLC0415

        if not scenario.torn_down:
            return
        cloudformation = boto3.client(
            "cloudformation",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        stacks = cloudformation.list_stacks()["StackSummaries"]
        left = sorted(
            stack["StackName"]
            for stack in stacks
            if stack["StackStatus"] != "DELETE_COMPLETE"
            and any(stack["StackName"].startswith(f"careervp-{env}-") for env in scenario.torn_down)
        )
        if left:
            raise RehearsalFailed(
                f"{scenario.name}: stacks left running after the teardown: {', '.join(left)}"
            )


@contextmanager
def world(src: Path, calls: Path, result_store: Path | None = None) -> Iterator[World]:
    """A prepared repository, one emulator with the artifact store's bucket, the result store's folder
    (default: the one every rehearsal shares), and the shims' settings."""
    from careervp_ci.release.emulator import EMULATOR_CREDENTIALS, running_emulator  # noqa: PLC0415

    require_tools()
    image.ensure_base_image(lambda line: print(line, file=sys.stderr))
    removed = prune_layers()
    if removed:
        print(f"rehearsal: removed {removed} layers unused for two days", file=sys.stderr)
    engine_version = json.loads((src / "dagger.json").read_text(encoding="utf-8"))["engineVersion"]
    with (
        tempfile.TemporaryDirectory(prefix="careervp-rehearsal-") as folder,
        running_emulator() as endpoint,
        slack_stand_in() as slack,
    ):
        scratch = Path(folder)
        repo = scratch / "repo"
        prepare(src, repo)
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=EMULATOR_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        ).create_bucket(Bucket=STORE_BUCKET)
        release_env = {"AWS_ENDPOINT_URL": endpoint, "CAREERVP_TARGETS": TARGETS_IN_CONTAINER}
        settings = Settings(
            {**SECRETS, "SLACK_WEBHOOK": slack.url},
            VARIABLES,
            {
                **base_env(shim_bin(scratch / "bin")),
                dagger_cli.REPORT_ENV: str(calls),
                dagger_cli.CACHE_ENV: str(dagger_cli.cache_dir()),
                dagger_cli.RUNTIME_ENV: json.dumps({ALLOW_UNVERIFIED_ENV: ",".join(UNVERIFIABLE_HERE)}),
                dagger_cli.RELEASE_ENV: json.dumps(release_env),
                dagger_cli.MOUNTS_ENV: json.dumps({str(_targets(endpoint, scratch)): TARGETS_IN_CONTAINER}),
                dagger_cli.STORE_MOUNT_ENV: json.dumps(
                    {str(result_store_folder(result_store)): RESULT_STORE_IN_CONTAINER}
                ),
                "CAREERVP_REHEARSAL_ATTESTATIONS": str(scratch / "attestations.jsonl"),
                runtime.UV_ENV: runtime.uv_binary(),
            },
            scratch / "jobs.log",
        )
        try:
            yield World(repo, scratch, settings, engine_version.removeprefix("v"), endpoint, slack)
        finally:
            if settings.log.is_file():  # every step's output and the engine's timings, kept for reading
                shutil.copyfile(settings.log, calls.with_suffix(".jobs.log"))


def rehearse(
    src: Path,
    names: Sequence[str],
    report: Path,
    *,
    result_store: Path | None = None,
    fresh: bool = False,
) -> int:
    """Rehearse the scenarios of `names`; worlds that share no state (`Scenario.world`) run at once, each
    in its own process, and their reports are merged into one. Every world shares the result store."""
    scenarios = selected(names)
    report.parent.mkdir(parents=True, exist_ok=True)
    store = result_store_folder(result_store)
    worlds = list(dict.fromkeys(scenario.world for scenario in scenarios))
    with fresh_engine() if fresh else nullcontext():
        if len(worlds) == 1:
            return _rehearse_world(src, scenarios, report, store)
        by_world = {w: [s for s in scenarios if s.world == w] for w in worlds}
        return _rehearse_worlds(src, by_world, report, store)


def _rehearse_worlds(src: Path, worlds: dict[str, list[Scenario]], report: Path, store: Path) -> int:
    parts = {world: report.with_name(f"{world}.json") for world in worlds}
    for part in parts.values():
        part.with_suffix(".jsonl").unlink(missing_ok=True)  # a waiting world reads only this rehearsal's
    running: dict[str, subprocess.Popen[bytes]] = {}
    for world in start_order(list(worlds)):
        scenarios = worlds[world]
        first = STARTS_AFTER.get(world)
        if first in running:
            print(f"== the {world} world waits for the {first} world's first call", file=sys.stderr)
            wait_for_first_call(parts[first].with_suffix(".jsonl"), running[first])
        print(f"== rehearsing the {world} world (log: {parts[world].with_suffix('.log')})", file=sys.stderr)
        workflow_flags = [flag for name in workflows(scenarios) for flag in ("--workflow", name)]
        argv = [sys.executable, "-m", "careervp_ci.host.cli", "rehearse", "--src", str(src)]
        argv += ["--result-store", str(store)]
        with parts[world].with_suffix(".log").open("w", encoding="utf-8") as log:
            running[world] = subprocess.Popen(
                [*argv, "--report", str(parts[world]), *workflow_flags], stdout=log, stderr=log
            )
    try:
        failed = [world for world, process in running.items() if process.wait() != 0]
    finally:  # interrupted: no world goes on alone
        for process in running.values():
            if process.poll() is None:
                process.terminate()
                process.wait()
    _merge(report, [parts[world] for world in worlds])
    for world in failed:
        tail = parts[world].with_suffix(".log").read_text(encoding="utf-8").splitlines()[-40:]
        print(f"rehearsal FAILED in the {world} world:\n" + "\n".join(tail), file=sys.stderr)
    if failed:
        return 1
    print(f"rehearsal passed: {len(worlds)} worlds; report {report}", file=sys.stderr)
    return 0


def start_order(worlds: Sequence[str]) -> list[str]:
    """The worlds in the order they start: each after the world it waits for (`STARTS_AFTER`)."""
    return sorted(worlds, key=lambda name: STARTS_AFTER.get(name) in worlds)


def wait_for_first_call(calls: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the world writing `calls` has recorded a call (each line is one finished), or has ended."""
    while process.poll() is None:
        if calls.is_file() and calls.read_text(encoding="utf-8").strip():
            return
        time.sleep(1)


def _merge(report: Path, parts: Sequence[Path]) -> None:
    """One report of every world's: its substitutions, every call, and the scenarios in rehearsal order."""
    documents = [json.loads(part.read_text(encoding="utf-8")) for part in parts if part.is_file()]
    order = [scenario.name for scenario in SCENARIOS]
    outcomes = sorted(
        (outcome for document in documents for outcome in document["scenarios"]),
        key=lambda outcome: order.index(outcome["scenario"]),
    )
    _save(report, [call for document in documents for call in document["calls"]], outcomes)


def _rehearse_world(src: Path, scenarios: Sequence[Scenario], report: Path, store: Path) -> int:
    calls = report.with_suffix(".jsonl")
    calls.write_text("", encoding="utf-8")
    outcomes: list[dict[str, Any]] = []
    with world(src, calls, store) as rehearsal:
        for scenario in scenarios:
            started = time.monotonic()
            print(f"== rehearsing {scenario.name}", file=sys.stderr, flush=True)
            try:
                results = rehearsal.run(scenario)
            except (RehearsalFailed, WorkflowError) as error:
                _write(report, calls, outcomes)
                print(f"rehearsal FAILED: {error}", file=sys.stderr)
                return 1
            outcomes.append(
                {
                    "scenario": scenario.name,
                    "workflow": scenario.workflow,
                    "jobs": {job: result["result"] for job, result in results.items()},
                    "seconds": round(time.monotonic() - started, 1),
                }
            )
    _write(report, calls, outcomes)
    print(f"rehearsal passed: {len(outcomes)} scenarios; report {report}", file=sys.stderr)
    return 0


def _write(report: Path, calls: Path, outcomes: list[dict[str, Any]]) -> None:
    entries = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines() if line.strip()]
    _save(report, entries, outcomes)


def _save(report: Path, calls: list[dict[str, Any]], outcomes: list[dict[str, Any]]) -> None:
    document = {"substitutions": list(SUBSTITUTIONS), "calls": calls, "scenarios": outcomes}
    report.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def dispatch(args: argparse.Namespace) -> int:
    src = args.src.resolve()
    report = args.report or src / ".reports" / "rehearsal" / "report.json"
    try:
        return rehearse(src, args.workflow, report, result_store=args.result_store, fresh=args.fresh_engine)
    except RehearsalUnavailable as error:
        print(f"careervp-ci rehearse: {error}", file=sys.stderr)
        return USAGE_ERROR
