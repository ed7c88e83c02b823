"""Synthesize CareerVP's one cloud assembly: a Stage per environment, each with its service stack.

Synthesis fails (SynthesisError) on any cdk-nag AwsSolutions finding that is not suppressed with a
reason, and on any function without its retention-bound log group or either alarm.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from aws_cdk import App, DefaultStackSynthesizer, Stage, Validations, cx_api
from aws_cdk import Environment as CdkEnvironment
from aws_cdk import aws_lambda as lambda_
from cdk_nag import AwsSolutionsChecks

from careervp_infra.account.naming import asset_prefix
from careervp_infra.cloud_assembly import stack_templates
from careervp_infra.environments import Environment, load_environments
from careervp_infra.service_stack import ServiceStack
from careervp_infra.verify.observability import observability_problems

BACKEND_DIR = Path(__file__).resolve().parents[2] / "src" / "backend"
PACKAGE = "careervp"
CACHE_FILES = ("**/__pycache__", "**/*.pyc")
TREE_ASSET_EXCLUDES = ("*", f"!{PACKAGE}", f"!{PACKAGE}/**", *CACHE_FILES)
"""From `src/backend`, only the `careervp` package goes into the Lambda code asset, without the bytecode this
machine's interpreter happened to leave (its version, its timestamps: not what the runtime would load)."""

FEATURE_FLAGS = {
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}
"""CDK feature flags, set here rather than in cdk.json so `python app.py` and `cdk synth` agree."""


VALIDATION_REPORT = "validation-report.json"
"""Where CDK writes the policy-validation (cdk-nag) report when a plugin finds a violation."""


class SynthesisError(RuntimeError):
    """The app synthesized, but breaks a rule (cdk-nag finding, missing log group or alarm)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("synthesis refused:\n" + "\n".join(f"  - {problem}" for problem in problems))
        self.problems = problems


def lambda_code(lambda_asset: Path | None) -> lambda_.Code:
    """The functions' code: a prepared package zip as it is, or the tree's `careervp` package.

    A prepared package (the release build's) is the zip Lambda receives: CDK stages a `.zip` as a file asset
    (`asset.<hash>.zip`, packaging "file") that a deploy uploads byte for byte. It keeps its `__pycache__`:
    its .pyc are compiled for the runtime's Python as unchecked-hash files, the same bytes on every build, so
    the read-only /var/task never compiles a module at a cold start."""
    if lambda_asset is None:
        return lambda_.Code.from_asset(str(BACKEND_DIR), exclude=list(TREE_ASSET_EXCLUDES))
    if not _holds_package(lambda_asset):
        raise FileNotFoundError(f"lambda asset {lambda_asset} is not a .zip holding the {PACKAGE}/ package")
    return lambda_.Code.from_asset(str(lambda_asset))


def _holds_package(path: Path) -> bool:
    """Whether `path` is a .zip (the suffix CDK stages as is) with the `careervp` package at its root."""
    if path.suffix != ".zip" or not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return any(name.startswith(f"{PACKAGE}/") for name in archive.namelist())


def build_app(outdir: Path, *, lambda_asset: Path | None = None, emulator: bool = False) -> App:
    """The CDK app with every environment's stage and the cdk-nag checks attached (not yet synthesized)."""
    app = App(outdir=str(outdir), analytics_reporting=False, context=FEATURE_FLAGS)
    for env in load_environments().stacks:
        stage = Stage(app, env.name, env=CdkEnvironment(region=env.region))
        ServiceStack(stage, env, lambda_code(lambda_asset), service_synthesizer(env, emulator=emulator))
    attach_checks(app)
    return app


def service_synthesizer(env: Environment, *, emulator: bool) -> DefaultStackSynthesizer:
    """The bootstrap's synthesizer with `env`'s assets under `asset_prefix(env)`, the only keys of the asset
    bucket its roles may write (account/policies.py); an emulator has no bootstrap version to check."""
    return DefaultStackSynthesizer(
        bucket_prefix=asset_prefix(env), generate_bootstrap_version_rule=not emulator
    )


def attach_checks(app: App) -> None:
    """Run cdk-nag's AwsSolutions pack over every stack when `app` synthesizes."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def synthesize(outdir: Path, *, lambda_asset: Path | None = None, emulator: bool = False) -> Path:
    """Write the cloud assembly to `outdir` and return it; raises SynthesisError when a rule is broken."""
    outdir = Path(outdir)
    return synthesize_checked(build_app(outdir, lambda_asset=lambda_asset, emulator=emulator), outdir)


def synthesize_checked(app: App, outdir: Path) -> Path:
    """Synthesize `app` into `outdir`, then refuse cdk-nag findings and unobserved functions."""
    try:
        assembly = app.synth()
    except RuntimeError as error:
        if not (outdir / VALIDATION_REPORT).is_file():
            raise
        raise SynthesisError(validation_violations(outdir / VALIDATION_REPORT)) from error
    problems = error_messages(assembly)
    for stack in stack_templates(outdir):
        problems.extend(f"{stack.stack_name}: {problem}" for problem in observability_problems(stack.load()))
    if problems:
        raise SynthesisError(problems)
    return outdir


def validation_violations(report: Path) -> list[str]:
    """`<construct path>: <rule>: <description>` for each violation in CDK's policy validation report."""
    data = json.loads(report.read_text(encoding="utf-8"))
    return [
        f"{construct['constructPath']}: {violation['ruleName']}: {violation['description']}"
        for plugin in data.get("pluginReports", [])
        for violation in plugin.get("violations", [])
        for construct in violation.get("violatingConstructs", [])
    ]


def error_messages(assembly: cx_api.CloudAssembly) -> list[str]:
    """Every error annotation (cdk-nag findings among them) on any stack of the assembly."""
    return [
        f"{stack.stack_name}: {message.id}: {message.entry.data}"
        for stack in assembly.stacks_recursively
        for message in stack.messages
        if message.level == cx_api.SynthesisMessageLevel.ERROR
    ]
