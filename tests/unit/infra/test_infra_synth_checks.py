"""The synth-time refusals, each fired by a planted bad construct in a small app of its own."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from careervp_infra.assembly import SynthesisError, attach_checks, lambda_code, synthesize_checked
from careervp_infra.assets import deterministic_zip
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


def prepared_package(root: Path) -> Path:
    """A package as the release build prepares it: a module with its .pyc beside it."""
    cache = root / "careervp" / "__pycache__"
    cache.mkdir(parents=True)
    (cache.parent / "kinds.py").write_text("KINDS = ()\n")
    (cache / "kinds.cpython-313.pyc").write_bytes(b"bytecode")
    return root


def test_a_prepared_lambda_asset_that_is_not_a_zip_of_the_package_is_refused(tmp_path: Path) -> None:
    folder = prepared_package(tmp_path / "package")
    stray = tmp_path / "stray.zip"
    stray.write_bytes(deterministic_zip(folder / "careervp"))
    for asset in (folder, stray, tmp_path / "missing.zip"):
        with pytest.raises(FileNotFoundError, match=r"not a \.zip holding the careervp/ package"):
            lambda_code(asset)


def test_a_prepared_lambda_zip_is_staged_as_one_file_asset_uploaded_as_is(tmp_path: Path) -> None:
    """The release build's zip (with its .pyc) is the asset: CDK copies it, never re-zips it (the tree's own
    asset is a folder without this machine's caches: test_infra_service_stack)."""
    code = tmp_path / "lambda.zip"
    code.write_bytes(deterministic_zip(prepared_package(tmp_path / "package")))
    app = cdk.App(outdir=str(tmp_path / "out"), analytics_reporting=False)
    lambda_code(code).bind(cdk.Stack(app, "Prepared"))
    app.synth()
    [asset] = (tmp_path / "out").glob("asset.*")
    assert asset.is_file() and asset.suffix == ".zip" and asset.read_bytes() == code.read_bytes()
    [source] = [
        entry["source"]
        for entry in json.loads((tmp_path / "out" / "Prepared.assets.json").read_text())["files"].values()
        if entry["source"]["path"] != "Prepared.template.json"
    ]
    assert source == {"path": asset.name, "packaging": "file"}
    with zipfile.ZipFile(asset) as archive:
        assert archive.namelist() == ["careervp/__pycache__/kinds.cpython-313.pyc", "careervp/kinds.py"]
