"""A tiny CareerVP-shaped project for exercising the pipeline with real tools on a small tree.

It honours the same contracts as the real repository (pyproject config, the naming gatekeeper, a CDK-style
app that writes a template into CDK_OUTDIR, `python -m careervp_local.openapi --check`), so every `pr` step
runs for real in a few seconds instead of over the whole repository.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from support.git import git

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
"""`careervp_ci(*args, cwd=tree, env=None)` from conftest: runs the CLI as a real subprocess."""

PYPROJECT = """\
[project]
name = "fixture"
version = "0.0.0"
requires-python = ">=3.13"

[tool.ruff]
line-length = 100
[tool.ruff.lint]
select = ["E", "F", "I"]

[tool.mypy]
strict = true
mypy_path = ["src/backend", "infra"]
explicit_package_bases = true

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-p randomly --strict-markers"
markers = ["slow: slow", "flaky: retried"]

[tool.coverage.run]
source = ["careervp"]
omit = ["*/openapi.py"]

[tool.careervp-ci.coverage]
floor = 50
critical_floor = 90
critical = ["src/backend/careervp/pricing.py"]
"""

PRICING = '''\
"""Prices in cents."""


def total(prices: list[int]) -> int:
    return sum(prices)
'''

GREETING = '''\
"""Greetings."""


def greet(name: str) -> str:
    return f"hello {name}"
'''

OPENAPI_MODULE = '''\
"""The contract generated from code: --check compares it with the committed file."""

import json
import sys
from pathlib import Path

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "fixture", "version": "1"},
    "paths": {"/total": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def main(argv: list[str]) -> int:
    flag, path = argv
    if flag == "--write":
        Path(path).write_text(json.dumps(SPEC, indent=2) + "\\n")
        return 0
    return 0 if json.loads(Path(path).read_text()) == SPEC else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''

GATEKEEPER = '''\
"""Fixture gatekeeper: every TopicName in the assembly's templates starts with careervp-."""

import json
import sys
from pathlib import Path

assembly = Path(sys.argv[sys.argv.index("--path") + 1])
templates = sorted(assembly.rglob("*.template.json"))
names = [
    (template, resource["Properties"]["TopicName"])
    for template in templates
    for resource in json.loads(template.read_text())["Resources"].values()
]
bad = [f"{path}:1: bad name {name}" for path, name in names if not name.startswith("careervp-")]
print("\\n".join(bad) or f"{len(names)} name(s) checked")
sys.exit(1 if bad or not templates else 0)
'''

APP = '''\
"""Fixture CDK app: writes one template into CDK_OUTDIR like `cdk.App().synth()` would."""

import json
import os
from pathlib import Path

TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": "careervp-dev-x", "KmsMasterKeyId": "alias/aws/sns"},
        },
    },
}

outdir = Path(os.environ["CDK_OUTDIR"])
outdir.mkdir(parents=True, exist_ok=True)
(outdir / "careervp-dev-service-stack.template.json").write_text(json.dumps(TEMPLATE))
'''

TEST_PRICING = """\
from careervp.pricing import total


def test_total_adds_prices() -> None:
    assert total([1, 2]) == 3
"""

TEST_GREETING = """\
from careervp.greeting import greet


def test_greet_names_the_person() -> None:
    assert greet("ada") == "hello ada"
"""


SPA_FILES = {
    "frontend/package.json": json.dumps(
        {
            "name": "fixture-spa",
            "version": "1.0.0",
            "private": True,
            "type": "module",
            "scripts": {
                "lint": "node --check src/main.js",
                "test": "node --test",
                "build": "node build.mjs",
            },
        }
    ),
    "frontend/package-lock.json": json.dumps(
        {
            "name": "fixture-spa",
            "version": "1.0.0",
            "lockfileVersion": 3,
            "requires": True,
            "packages": {"": {"name": "fixture-spa", "version": "1.0.0"}},
        }
    ),
    "frontend/src/main.js": "export const title = (env) => `CareerVP (${env})`;\n",
    "frontend/test/main.test.js": (
        "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\n"
        "import { title } from '../src/main.js';\n\n"
        "test('the title names the environment', () => assert.equal(title('dev'), 'CareerVP (dev)'));\n"
    ),
    "frontend/build.mjs": (
        "import { cpSync } from 'node:fs';\ncpSync('src', 'dist', { recursive: true });\n"
    ),
}
"""A locked npm project with no packages: the SPA steps run for real (npm ci, node) without the registry."""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_project(root: Path) -> Path:
    """Write the project and commit it (change-aware selection needs history)."""
    write(root, "pyproject.toml", PYPROJECT)
    write(root, "src/backend/careervp/__init__.py", "")
    write(root, "src/backend/careervp/pricing.py", PRICING)
    write(root, "src/backend/careervp/greeting.py", GREETING)
    write(root, "src/backend/careervp_local/__init__.py", "")
    write(root, "src/backend/careervp_local/openapi.py", OPENAPI_MODULE)
    write(root, "src/backend/scripts/validate_naming.py", GATEKEEPER)
    write(root, "infra/app.py", APP)
    write(root, "tests/unit/test_pricing.py", TEST_PRICING)
    write(root, "tests/integration/test_greeting.py", TEST_GREETING)
    write(root, "README.md", "# fixture\n")
    for relative, text in SPA_FILES.items():
        write(root, relative, text)
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "fixture", "version": "1"},
        "paths": {"/total": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    write(root, "docs/specs/openapi.json", json.dumps(spec, indent=2) + "\n")
    write(
        root,
        ".gitignore",
        ".reports/\n.careervp/\n.mypy_cache/\n.ruff_cache/\n__pycache__/\nnode_modules/\ndist/\n",
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "fixture")
    return root
