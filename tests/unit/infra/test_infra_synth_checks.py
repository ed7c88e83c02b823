"""The synth-time refusals, each fired by a planted bad construct in a small app of its own."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from careervp_infra.assembly import SynthesisError, attach_checks, lambda_code, synthesize_checked
from careervp_infra.verify.observability import observability_problems


def bare_function_app(outdir: Path, *, retention: bool) -> cdk.App:
    app = cdk.App(outdir=str(outdir), analytics_reporting=False)
    stack = cdk.Stack(app, "Planted")
    log_group = logs.LogGroup(
        stack, "Logs", retention=logs.RetentionDays.ONE_WEEK if retention else logs.RetentionDays.INFINITE
    )
    lambda_.Function(
        stack,
        "Bare",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): return None"),
        log_group=log_group,
    )
    return app


def test_synth_refuses_a_function_without_alarms_or_log_retention(tmp_path: Path) -> None:
    with pytest.raises(SynthesisError) as error:
        synthesize_checked(bare_function_app(tmp_path, retention=False), tmp_path)
    problems = "\n".join(error.value.problems)
    assert "keeps logs forever" in problems
    assert "has no error-rate alarm" in problems
    assert "has no p99-latency alarm" in problems


def test_observability_check_names_a_function_with_no_log_group_at_all() -> None:
    template = {"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {}}}}
    assert observability_problems(template)[0].startswith("Fn: has no explicit log group")


def test_synth_turns_a_cdk_nag_finding_into_a_synthesis_error(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path), analytics_reporting=False)
    s3.Bucket(cdk.Stack(app, "Planted"), "Leaky")
    attach_checks(app)
    with pytest.raises(SynthesisError) as error:
        synthesize_checked(app, tmp_path)
    assert any(
        "AwsSolutions-S10" in problem and "Planted/Leaky" in problem for problem in error.value.problems
    )


def test_a_prepared_lambda_asset_without_the_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no careervp/ package"):
        lambda_code(tmp_path)


def test_a_prepared_lambda_asset_is_staged_with_its_bytecode(tmp_path: Path) -> None:
    """The release build's package ships its .pyc (the tree's own asset leaves this machine's caches out:
    test_infra_service_stack)."""
    cache = tmp_path / "package" / "careervp" / "__pycache__"
    cache.mkdir(parents=True)
    (cache.parent / "kinds.py").write_text("KINDS = ()\n")
    (cache / "kinds.cpython-313.pyc").write_bytes(b"bytecode")
    app = cdk.App(outdir=str(tmp_path / "out"), analytics_reporting=False)
    lambda_code(tmp_path / "package").bind(cdk.Stack(app, "Prepared"))
    [asset] = (tmp_path / "out").glob("asset.*")
    assert sorted(path.relative_to(asset).as_posix() for path in asset.rglob("*.py*")) == [
        "careervp/__pycache__/kinds.cpython-313.pyc",
        "careervp/kinds.py",
    ]
