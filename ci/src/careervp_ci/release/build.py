"""`careervp-ci build`: one reproducible bundle from a source tree, packed canonically.

Bundle layout (every path below is inside the canonical tar):
  assembly/              the cloud assembly for every environment, synthesized once; deploys use it as is
                         (no re-synth). Its one code asset, the file `assembly/asset.<hash>.zip` (named in
                         the manifest's `lambda.asset`), is the Lambda package as the zip Lambda receives:
                         `careervp` + its locked runtime dependencies for the Lambda platform (manylinux
                         wheels only, never this machine's), zipped deterministically (careervp_infra.assets
                         `deterministic_zip`). A deploy writes that one file and uploads it as is, instead
                         of writing ~10,700 files and zipping them.
  spa/                   the SPA's built files (frontend/dist: no environment in them; a deploy adds the
                         environment's config.json, `release.spa`)
  openapi.json           the API contract generated from the code
  sbom.cdx.json          CycloneDX 1.6 SBOM of the runtime dependencies (reproducible mode)
  requirements.lambda.txt the exact pins the package was installed from
  manifest.json          commit, tool versions, per-file sha256

One assembly serves every target: it is the standard flavour (with the CDK bootstrap-version rule). An
emulator is bootstrapped the way `cdk bootstrap` bootstraps an account (see `release.emulator`), so the
bytes deployed to the emulator are the bytes that would go to AWS.

Reproducible: the bytes depend on the tree's content, the commit it records, the lockfiles and the pinned
uv only, never on the checkout's path or kind (clone, worktree, plain copy), the user, umask, time, locale or
tools outside the lock. The commit is given (`--commit`: the runner's checkout names it; in a
container, which has no git, always) or, on the host, read from the checkout with git, which also says
whether the build's inputs have uncommitted changes (`dirty`). No ref is recorded: the same commit built
on main and again for its tag must give the same bytes (a ref is a deploy's label, kept in the ledger).

The Lambda package holds no console scripts (`bin/`: their shebang is this machine's interpreter path), no
installer `.lock` and no RECORD lines for what was removed; a scan refuses any file that still names the
checkout, the cache or the interpreter. uv is the pinned one (`UV_VERSION` in the Makefile: `$UV` from
`uv run`, `.tools/bin/uv`, or PATH), and only Python's minor version is recorded (the one `.python-version`
and the Lambda runtime pin).

The package carries bytecode: every module compiled as an unchecked-hash .pyc (PEP 552), named as it will
sit under /var/task, with a fixed hash seed, so the bytes do not depend on time or path and the read-only
/var/task never has to be compiled at a cold start. The code zip keeps it
(`__pycache__/<module>.cpython-313.pyc` beside each source, which stays for tracebacks), and the build refuses
a zip with a module left uncompiled.

The Lambda runtime's own boto3 is not used: the SDK
(boto3, botocore, s3transfer and their jmespath, python-dateutil, six, urllib3) ships pinned on purpose,
because the code requires boto3>=1.40 and its tests ran against uv.lock's versions, not the runtime's.

Dependency installs are cached under `<state>/cache/lambda-deps/<sha256 of the pins + platform + uv>`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from hashlib import sha256
from importlib.metadata import PackageNotFoundError, version
from importlib.util import cache_from_source
from pathlib import Path

from careervp_infra.assets import deterministic_zip

from careervp_ci.errors import CareervpError
from careervp_ci.history import commit_id
from careervp_ci.release.artifact import Digest, write_canonical_tar, write_manifest
from careervp_ci.release.gitref import tree_state
from careervp_ci.release.scratch import reclaim, scratch_dir
from careervp_ci.release.spa import SPA, build_spa

LAMBDA_PYTHON = "3.13"
LAMBDA_ARCHITECTURE = "arm64"
"""What `careervp_infra.functions` deploys on; the build checks the assembly agrees."""
LAMBDA_PLATFORMS = {"arm64": "aarch64-manylinux2014", "x86_64": "x86_64-manylinux2014"}
PACKAGE = "careervp"
TOOL_PACKAGES = ("aws-cdk-lib", "constructs", "cdk-nag", "cyclonedx-bom", "careervp-ci", "careervp")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
_UV_PIN = re.compile(r"^UV_VERSION\s*:?=\s*(\S+)\s*$", re.MULTILINE)
_INSTALLER_LEFTOVERS = ("bin", ".lock")
LAMBDA_TASK_ROOT = "/var/task"
"""Where the runtime unpacks the package: the path compiled into each .pyc (tracebacks name it)."""
_COMPILE = (
    "import compileall, py_compile, sys; sys.exit(not compileall.compile_dir(sys.argv[1], ddir=sys.argv[2], "
    "quiet=1, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH))"
)
"""Exits 1 naming each module that does not compile: the package ships bytecode for every module."""


class BuildError(CareervpError):
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
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    }


def pinned_uv_version(src: Path) -> str:
    """The uv version the Makefile bootstraps (`UV_VERSION := X`): the one uv a build may use."""
    makefile = src / "Makefile"
    found = _UV_PIN.search(makefile.read_text(encoding="utf-8")) if makefile.is_file() else None
    if found is None:
        raise BuildError(f"{makefile} does not pin uv (`UV_VERSION := X.Y.Z`); the build cannot pick its uv")
    return found.group(1)


def find_uv(src: Path) -> Path:
    """The pinned uv: `$UV` (set by `uv run`), the project's `.tools/bin/uv`, or `uv` on PATH, whichever
    first reports the pinned version; a BuildError listing what was found otherwise."""
    pinned = pinned_uv_version(src)
    project = Path(sys.prefix).parent
    candidates = [os.environ.get("UV"), src / ".tools/bin/uv", project / ".tools/bin/uv", shutil.which("uv")]
    seen = []
    for candidate in dict.fromkeys(str(c) for c in candidates if c):
        path = Path(candidate)
        if not path.is_file():
            continue
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False)
        found = done.stdout.split()[1] if done.returncode == 0 and len(done.stdout.split()) > 1 else "?"
        if found == pinned:
            return path
        seen.append(f"{path} ({found})")
    raise BuildError(
        f"the build needs uv {pinned} (the Makefile's UV_VERSION) and found "
        f"{', '.join(seen) or 'no uv at all'}; run `make setup` (it bootstraps uv {pinned} into "
        ".tools/bin/uv) or run the build through `.tools/bin/uv run careervp-ci build`"
    )


def _export_requirements(uv: Path, src: Path, dest: Path) -> None:
    _run(
        "export runtime dependencies",
        [
            *(str(uv), "export", "--frozen", "--no-dev", "--no-emit-workspace", "--no-hashes", "--no-header"),
            *("--format", "requirements-txt", "-o", str(dest)),
        ],
        cwd=src,
    )


def strip_installer_leftovers(folder: Path) -> None:
    """Remove what `uv pip install --target` leaves that is not the library and names this machine:
    console scripts (`bin/`, shebang = this interpreter's path) and uv's `.lock`, with their RECORD lines."""
    removed = []
    for name in _INSTALLER_LEFTOVERS:
        path = folder / name
        if path.is_dir():
            removed += [f"{name}/{item.relative_to(path).as_posix()}" for item in path.rglob("*")]
            shutil.rmtree(path)
        elif path.exists():
            removed.append(name)
            path.unlink()
    gone = set(removed)
    for record in folder.glob("*.dist-info/RECORD"):
        lines = record.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if line.split(",", 1)[0] not in gone]
        if kept != lines:
            record.write_text("".join(kept), encoding="utf-8")


def compile_bytecode(folder: Path, task_path: str = LAMBDA_TASK_ROOT) -> None:
    """Unchecked-hash .pyc for every module under `folder` (unpacked at `task_path`), reproducibly: the hash
    seed is fixed (set and frozenset constants are marshalled in hash order) and each file is named by its
    path under /var/task."""
    if f"{sys.version_info[0]}.{sys.version_info[1]}" != LAMBDA_PYTHON:
        raise BuildError(
            f"bytecode for the Lambda runtime needs Python {LAMBDA_PYTHON}, this is "
            f"{sys.version.split()[0]}: run the build through `uv run` (the project pins .python-version)"
        )
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    _run("compile bytecode", [sys.executable, "-c", _COMPILE, str(folder), task_path], cwd=folder, env=env)


def _dependencies(
    uv: Path, uv_version: str, requirements: Path, cache: Path, architecture: str = LAMBDA_ARCHITECTURE
) -> Path:
    """The installed runtime dependencies for the Lambda platform, from cache when the pins are unchanged."""
    platform = LAMBDA_PLATFORMS[architecture]
    compiled = f"pyc unchecked-hash {LAMBDA_TASK_ROOT} {sys.version_info[:2]}"
    pins = (
        requirements.read_bytes() + f"{platform} {LAMBDA_PYTHON} uv {uv_version} stripped {compiled}".encode()
    )
    folder = cache / "lambda-deps" / sha256(pins).hexdigest()[:32]
    if folder.is_dir():
        return folder
    with scratch_dir(cache, "deps") as partial:
        _run(
            "install Lambda dependencies",
            [
                *(str(uv), "pip", "install", "--quiet", "--target", str(partial)),
                *("--python-platform", platform, "--python-version", LAMBDA_PYTHON),
                *("--only-binary", ":all:", "-r", str(requirements)),
            ],
            cwd=requirements.parent,
        )
        strip_installer_leftovers(partial)
        compile_bytecode(partial)
        folder.parent.mkdir(parents=True, exist_ok=True)
        partial.rename(folder)
    return folder


def check_no_machine_paths(folder: Path, machine_paths: list[Path]) -> None:
    """Refuse a package whose files name this machine's folders: the digest would change with them.

    A folder counts only as a whole path (not inside a URL such as `.../blob/7e856c0/src/urllib3`, which a
    checkout at `/src` would otherwise match)."""
    needles = {
        str(path): re.compile(rb"(?<![\w./-])" + re.escape(str(path).encode()) + rb"(?![\w.-])")
        for path in machine_paths
        if len(str(path)) > 1
    }
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            for machine_path, needle in needles.items():
                if needle.search(data):
                    raise BuildError(
                        f"{path.relative_to(folder)} in the Lambda package contains the machine path "
                        f"{machine_path!r}: the digest would differ per checkout; keep such files out "
                        "of the package (see release.build.strip_installer_leftovers)"
                    )


def lambda_package(
    uv: Path, src: Path, bundle: Path, cache: Path, architecture: str = LAMBDA_ARCHITECTURE
) -> Path:
    """The Lambda package beside `bundle` as the zip Lambda receives (its pins in `bundle`); another
    architecture only for measuring it on this machine (the bench's cold-start scenario)."""
    requirements = bundle / "requirements.lambda.txt"
    _export_requirements(uv, src, requirements)
    package = bundle.parent / "lambda"
    shutil.copytree(_dependencies(uv, pinned_uv_version(src), requirements, cache, architecture), package)
    shutil.copytree(src / "src" / "backend" / PACKAGE, package / PACKAGE, ignore=_SKIP)
    compile_bytecode(package / PACKAGE, f"{LAMBDA_TASK_ROOT}/{PACKAGE}")
    check_no_machine_paths(package, [src.resolve(), cache.resolve(), Path(sys.prefix).resolve()])
    code = bundle.parent / "lambda.zip"
    code.write_bytes(deterministic_zip(package))
    return code


def _synthesize(src: Path, code: Path, bundle: Path) -> str:
    """Synthesize with the `code` zip as the functions' code; returns the code asset's file name."""
    assembly = bundle / "assembly"
    script = (
        "import sys; from pathlib import Path; from careervp_infra.assembly import synthesize; "
        "synthesize(Path(sys.argv[1]), lambda_asset=Path(sys.argv[2]))"
    )
    _run("synthesize", [sys.executable, "-c", script, str(assembly), str(code)], cwd=src, env=_tool_env(src))
    check_architecture(assembly)
    assets = [path.name for path in sorted(assembly.glob("asset.*"))]
    if len(assets) != 1 or not assets[0].endswith(".zip") or not (assembly / assets[0]).is_file():
        raise BuildError(f"expected one code asset in the assembly, a .zip file, found {assets or 'none'}")
    check_bytecode(assembly / assets[0])
    return assets[0]


def check_bytecode(asset: Path) -> None:
    """Refuse a code zip with a module lacking the .pyc the runtime's Python looks for beside it (a zip that
    skipped caches): the runtime would compile it at every cold start, in memory, since /var/task is
    read-only."""
    with zipfile.ZipFile(asset) as archive:
        members = set(archive.namelist())
    missing = sorted(
        name for name in members if name.endswith(".py") and cache_from_source(name) not in members
    )
    if missing:
        raise BuildError(
            f"the code asset {asset.name} holds {len(missing)} module(s) without bytecode, first "
            f"{', '.join(missing[:5])}: the package zip must keep every __pycache__ (build.lambda_package)"
        )


def check_architecture(assembly: Path) -> None:
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
        [sys.executable, "-m", "careervp_local.openapi", "--write", str(bundle / "openapi.json")],
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


def tool_versions(src: Path, uv: Path) -> dict[str, str]:
    """The toolchain that shaped the bundle's bytes (a different toolchain is a different artifact).

    Python by minor version: `.python-version` pins 3.13, and the host's and the image's patch releases
    differ without changing a byte of the bundle."""
    versions = {"python": ".".join(str(part) for part in sys.version_info[:2])}
    versions["uv"] = _run("read uv version", [str(uv), "--version"], cwd=src).split()[1]
    node = shutil.which("node", path=_tool_env(src)["PATH"])
    versions["node"] = _run("read node version", [node or "node", "--version"], cwd=src).strip()
    for package in TOOL_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def build(
    src: Path, out_tar: Path, cache: Path, log: Callable[[str], None], commit: str | None = None
) -> BuildResult:
    """Build the bundle from the tree at `src` into the canonical tar `out_tar`; logs each stage's time.

    `commit` is the commit the tree is, by the caller's word (recorded, git not asked, never dirty);
    without it git reads the checkout at `src`."""
    started = time.monotonic()
    clock = [started]

    def lap(stage: str) -> None:
        now = time.monotonic()
        log(f"build: {stage} in {now - clock[0]:.1f}s")
        clock[0] = now

    commit, dirty = (commit_id(commit), False) if commit is not None else tree_state(src)
    uv = find_uv(src)
    cache.mkdir(parents=True, exist_ok=True)
    reclaim(cache)
    with scratch_dir(cache, "bundle") as staging:
        bundle = staging / "bundle"
        bundle.mkdir()
        code = lambda_package(uv, src, bundle, cache)
        lap("Lambda package")
        asset = _synthesize(src, code, bundle)
        lap("cloud assembly")
        spa_files = build_spa(
            src, bundle, lambda stage, argv, cwd: _run(stage, argv, cwd=cwd, env=_tool_env(src))
        )
        lap("SPA")
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
            "spa": {"folder": SPA, "files": spa_files},
            "tools": tool_versions(src, uv),
        }
        lap("OpenAPI, SBOM, tool versions")
        write_manifest(bundle, facts)
        out_tar.parent.mkdir(parents=True, exist_ok=True)
        digest = write_canonical_tar(bundle, out_tar)
        lap("manifest and canonical tar")
    return BuildResult(digest, out_tar, commit, dirty, time.monotonic() - started)
