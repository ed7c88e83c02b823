"""typecheck's mypy config: the project's own settings unchanged, every CDK module our code imports analysed
in full, and only the CDK modules it never imports skipped."""

from __future__ import annotations

import configparser
from pathlib import Path

from careervp_ci.pipeline.mypy_narrowing import imported_modules, write_config
from support.fixture_project import write

PYPROJECT = """\
[tool.mypy]
strict = true
mypy_path = ["src/backend", "infra"]
exclude = ["cdk\\\\.out/", "node_modules/"]

[[tool.mypy.overrides]]
module = ["moto.*"]
ignore_missing_imports = true
"""


def test_every_cdk_module_our_code_imports_is_analysed_and_only_the_rest_skipped(tmp_path: Path) -> None:
    stack = write(tmp_path, "infra/stack.py", "from aws_cdk import Duration, aws_lambda as lambda_\n")
    store = write(tmp_path, "infra/store.py", "import aws_cdk.aws_s3\nfrom aws_cdk.aws_iam import Role\n")
    write(tmp_path, "pyproject.toml", PYPROJECT)
    config = configparser.ConfigParser()
    config.read(write_config(tmp_path / "pyproject.toml", [stack, store], tmp_path / "mypy.ini"))
    assert config["mypy"]["strict"] == "True"
    assert config["mypy"]["mypy_path"] == "src/backend,infra"
    assert config["mypy"]["exclude"] == "cdk\\.out/|node_modules/"
    assert config["mypy-moto.*"]["ignore_missing_imports"] == "True"
    assert config["mypy-aws_cdk.*"]["follow_imports"] == "skip"
    followed = next(section for section in config.sections() if "aws_cdk.aws_lambda" in section)
    assert config[followed]["follow_imports"] == "normal"
    assert {"aws_cdk", "aws_cdk.aws_lambda", "aws_cdk.aws_s3", "aws_cdk.aws_iam"} <= set(
        followed[5:].split(",")
    )
    assert imported_modules([stack]) == {"aws_cdk", "aws_cdk.Duration", "aws_cdk.aws_lambda"}
