"""`careervp-ci build`: one reproducible bundle from a source tree, packed canonically.

Bundle layout (every path below is inside the canonical tar):
  assembly/              the cloud assembly for every environment, synthesized once; deploys use it as is
                         (no re-synth). Its one code asset, `assembly/asset.<hash>/` (named in the manifest's
                         `lambda.asset`), is the Lambda package: `careervp` + its locked runtime dependencies
                         for the Lambda platform (manylinux wheels only, never this machine's). It is not
                         stored a second time; the deploy zips it deterministically.
  openapi.json           the API contract generated from the code
  sbom.cdx.json          CycloneDX 1.6 SBOM of the runtime dependencies (reproducible mode)
  requirements.lambda.txt the exact pins the package was installed from
  manifest.json          commit, tool versions, per-file sha256

One assembly serves every target: it is the standard flavour (with the CDK bootstrap-version rule). An
emulator is bootstrapped the way `cdk bootstrap` bootstraps an account (see `release.emulator`), so the
bytes deployed to the emulator are the bytes that would go to AWS.

Dependency installs are cached under `<state>/cache/lambda-deps/<sha256 of the pins + platform>`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from careervp_ci.artifact import Digest, write_canonical_tar, write_manifest
from careervp_ci.release.gitref import tree_state

LAMBDA_PYTHON = "3.13"
LAMBDA_ARCHITECTURE = "arm64"
"""What `careervp_infra.functions` deploys on; the build checks the assembly agrees."""
LAMBDA_PLATFORMS = {"arm64": "aarch64-manylinux2014", "x86_64": "x86_64-manylinux2014"}
PACKAGE = "careervp"
TOOL_PACKAGES = ("aws-cdk-lib", "constructs", "cdk-nag", "cyclonedx-bom", "careervp-ci", "careervp")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildError(Exception):
    """A build stage failed; the message names the stage, the command and its first lines of output."""


@dataclass(frozen=True)
class BuildResult:
    digest: Digest
    tar_path: Path
    commit: str
    dirty: bool
    seconds: float


def _run(stage: str, argv: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BuildError(f"build stage {stage!r} failed: `{' '.join(argv)}` exited {done.returncode}\n{tail}")
    return done.stdout


def _tool_env(src: Path) -> dict[str, str]:
    """The pinned toolchain first on PATH (node for the CDK), the tree's own code first on sys.path."""
    bin_dir = str(Path(sys.executable).parent)
    roots = [str(src / "src" / "backend"), str(src / "infra")]
    return {
        **os.environ,
        "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")]),
        "PYTHONPATH": os.pathsep.join([*roots, os.environ.get("PYTHONPATH", "")]),
        "PYTHONHASHSEED": "0",
        "SOURCE_DATE_EPOCH": "0",
    }


def _export_requirements(src: Path, dest: Path) -> None:
    _run(
        "export runtime dependencies",
        [
            *("uv", "export", "--frozen", "--no-dev", "--no-emit-workspace", "--no-hashes", "--no-header"),
            *("--format", "requirements-txt", "-o", str(dest)),
        ],
        cwd=src,
    )


def _dependencies(requirements: Path, cache: Path) -> Path:
    """The installed runtime dependencies for the Lambda platform, from cache when the pins are unchanged."""
    platform = LAMBDA_PLATFORMS[LAMBDA_ARCHITECTURE]
    key = sha256(requirements.read_bytes() + f"{platform} {LAMBDA_PYTHON}".encode()).hexdigest()[:32]
    folder = cache / "lambda-deps" / key
    if folder.is_dir():
        return folder
    partial = Path(tempfile.mkdtemp(prefix="deps-", dir=cache))
    _run(
        "install Lambda dependencies",
        [
            *("uv", "pip", "install", "--quiet", "--target", str(partial), "--python-platform", platform),
            *("--python-version", LAMBDA_PYTHON, "--only-binary", ":all:", "-r", str(requirements)),
        ],
        cwd=requirements.parent,
    )
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial.replace(folder)
    return folder


def _lambda_package(src: Path, bundle: Path, cache: Path) -> Path:
    requirements = bundle / "requirements.lambda.txt"
    _export_requirements(src, requirements)
    package = bundle.parent / "lambda"
    shutil.copytree(_dependencies(requirements, cache), package)
    shutil.copytree(src / "src" / "backend" / PACKAGE, package / PACKAGE, ignore=_SKIP)
    return package


def _synthesize(src: Path, package: Path, bundle: Path) -> str:
    """Synthesize with `package` as the functions' code; returns the code asset's folder name."""
    assembly = bundle / "assembly"
    script = (
        "import sys; from pathlib import Path; from careervp_infra.assembly import synthesize; "
        "synthesize(Path(sys.argv[1]), lambda_asset=Path(sys.argv[2]))"
    )
    _run(
        "synthesize", [sys.executable, "-c", script, str(assembly), str(package)], cwd=src, env=_tool_env(src)
    )
    _check_architecture(assembly)
    assets = [path.name for path in sorted(assembly.glob("asset.*")) if (path / PACKAGE).is_dir()]
    if len(assets) != 1:
        raise BuildError(
            f"expected one code asset holding {PACKAGE}/ in the assembly, found {assets or 'none'}"
        )
    return assets[0]


def _check_architecture(assembly: Path) -> None:
    """Every function must run on the platform the package was built for (native wheels differ)."""
    for template in assembly.rglob("*.template.json"):
        resources = json.loads(template.read_text(encoding="utf-8")).get("Resources", {})
        for logical_id, resource in resources.items():
            if resource.get("Type") != "AWS::Lambda::Function":
                continue
            architectures = resource.get("Properties", {}).get("Architectures", ["x86_64"])
            if architectures != [LAMBDA_ARCHITECTURE]:
                raise BuildError(
                    f"{template.name}: function {logical_id} runs on {architectures}, but the Lambda package "
                    f"is built for {LAMBDA_ARCHITECTURE}; align release.build.LAMBDA_ARCHITECTURE with infra"
                )


def _openapi(src: Path, bundle: Path) -> None:
    _run(
        "generate OpenAPI",
        [sys.executable, "-m", "careervp.openapi", "--write", str(bundle / "openapi.json")],
        cwd=src,
        env=_tool_env(src),
    )


def _sbom(bundle: Path, src: Path) -> None:
    cyclonedx = Path(sys.executable).parent / "cyclonedx-py"
    _run(
        "write SBOM",
        [
            *(str(cyclonedx), "requirements", "--spec-version", "1.6", "--output-format", "JSON"),
            *("--output-reproducible", "--output-file", str(bundle / "sbom.cdx.json")),
            str(bundle / "requirements.lambda.txt"),
        ],
        cwd=src,
        env=_tool_env(src),
    )


def tool_versions(src: Path) -> dict[str, str]:
    """The toolchain that shaped the bundle's bytes (a different toolchain is a different artifact)."""
    versions = {"python": ".".join(str(part) for part in sys.version_info[:3])}
    versions["uv"] = _run("read uv version", ["uv", "--version"], cwd=src).split()[1]
    node = shutil.which("node", path=_tool_env(src)["PATH"])
    versions["node"] = _run("read node version", [node or "node", "--version"], cwd=src).strip()
    for package in TOOL_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def build(src: Path, out_tar: Path, cache: Path, log: Callable[[str], None]) -> BuildResult:
    """Build the bundle from the tree at `src` into the canonical tar `out_tar`; logs each stage's time."""
    started = time.monotonic()
    clock = [started]

    def lap(stage: str) -> None:
        now = time.monotonic()
        log(f"build: {stage} in {now - clock[0]:.1f}s")
        clock[0] = now

    commit, dirty = tree_state(src)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bundle-", dir=cache) as staging:
        bundle = Path(staging) / "bundle"
        bundle.mkdir()
        package = _lambda_package(src, bundle, cache)
        lap("Lambda package")
        asset = _synthesize(src, package, bundle)
        lap("cloud assembly")
        _openapi(src, bundle)
        _sbom(bundle, src)
        facts = {
            "format": 1,
            "commit": commit,
            "dirty": dirty,
            "lambda": {
                "python": LAMBDA_PYTHON,
                "architecture": LAMBDA_ARCHITECTURE,
                "asset": f"assembly/{asset}",
            },
            "tools": tool_versions(src),
        }
        lap("OpenAPI, SBOM, tool versions")
        write_manifest(bundle, facts)
        out_tar.parent.mkdir(parents=True, exist_ok=True)
        digest = write_canonical_tar(bundle, out_tar)
        lap("manifest and canonical tar")
    return BuildResult(digest, out_tar, commit, dirty, time.monotonic() - started)
