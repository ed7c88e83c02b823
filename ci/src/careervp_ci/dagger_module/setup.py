"""The base container every Dagger function starts from: the project's toolchain, pinned.

Python comes from an image pinned by digest (its tag matches `.python-version`), uv from the version the
Makefile bootstraps, Python tools from `uv.lock` and Node tools from `package-lock.json`: each pin is held by
something that stays. No git: nothing in a container runs it (a build is given its commit, the history is
read with dulwich from the lock), and a `name=version` pin against live Debian breaks every fresh engine the
day a security update retires that version. Dependencies are installed from the manifests alone before the
rest of the tree arrives, so a source edit reuses them. As on the host (Makefile), third-party Python gets
hash-based bytecode and npm runs no install scripts (the only one builds libxmljs2, which the JSON SBOM never
loads).
"""

from __future__ import annotations

from typing import Final

import dagger
from dagger import dag

PYTHON_IMAGE: Final = (
    "docker.io/library/python:3.13-slim"
    "@sha256:9d2e5553305c7c7b0097999bb17187c69b921ccd6bc9d40e4bb5ebe652c00285"
)
"""Pinned by digest: the tag is informative, the digest decides. Bump both together
(`docker buildx imagetools inspect python:3.13-slim`); the tag's version must match `.python-version`."""

UV_VERSION: Final = "0.13.8"
"""The uv the Makefile bootstraps (`UV_VERSION`); a test keeps the two equal."""

WORKDIR: Final = "/src"
VENV: Final = "/opt/venv"
"""Outside the tree, so mounting a newer tree over /src keeps the installed environment."""
UV_CACHE: Final = "/root/.cache/uv"
NPM_CACHE: Final = "/root/.npm"

MANIFESTS: Final = ("pyproject.toml", "uv.lock", ".python-version", "ci/pyproject.toml")
"""What `uv sync --no-install-workspace` reads: the workspace root and its member's project file."""
NODE_MANIFESTS: Final = ("package.json", "package-lock.json")
SCANNER_MANIFESTS: Final = ("ci/tools/checkov/pyproject.toml", "ci/tools/checkov/uv.lock")
"""The IaC scanner's own lock (careervp_ci.pipeline.steps.iac_scan): installed beside the venv, not in it."""
SCANNER_VENV: Final = "/opt/checkov"


BROWSER_PACKAGES: Final = ("chromium", "fonts-dejavu-core")
"""Debian's Chromium for the SPA's browser smoke (Playwright drives it; its own browser download is not
used). Unpinned on purpose: Chromium's security updates replace it on the mirrors every few weeks, so a
`name=version` pin would break the install within a release; the smoke records the version it ran."""
GIT_PACKAGES: Final = ("git",)
"""Debian's git, only for the job whose tests build git repositories (`Step.needs_git`: the pipeline's own
tests of the host path, which reads git by design). No recipe of the module runs git; unpinned, so a
security update never retires it."""


def install_system(packages: tuple[str, ...]) -> str:
    return (
        "apt-get update -qq && apt-get install -qqy --no-install-recommends "
        f"{' '.join(packages)} >/dev/null && rm -rf /var/lib/apt/lists/*"
    )


SYNC_DEPENDENCIES: Final = ("uv", "sync", "--frozen", "--no-install-workspace", "--compile-bytecode")
"""Third-party packages with hash-based bytecode (SOURCE_DATE_EPOCH, for this command only: a wheel build of
the workspace under it fails, since zip timestamps cannot precede 1980)."""

SYNC_SCANNER: Final = ("uv", "sync", "--frozen", "--project", "ci/tools/checkov")
UNPACK_CDK: Final = ("python", "-c", "import aws_cdk, cdk_nag")
"""The CDK's JavaScript packages unpacked into jsii's cache (~/.cache/aws/jsii) in the dependency layer:
otherwise every job that imports the CDK unpacks about 180 MB first, and the engine stores that in its
layer."""


def uv_cache_key(lock_digest: str) -> str:
    """A uv cache volume per lockfile: a changed lock starts clean instead of growing one volume forever."""
    return f"careervp-uv-{lock_digest.removeprefix('sha256:')[:16]}"


def toolchain(
    src: dagger.Directory, lock_digest: str, *, browser: bool = False, git: bool = False
) -> dagger.Container:
    """The pinned image with uv (and Chromium for the calls that smoke: deploy, smoke, promote, hotfix,
    release-local; git for the tests that build repositories), the locked Python environment and the Node
    tools, and then the tree. System packages come before any file of the tree, so a source edit or a new
    lock never installs them again."""
    system = (
        dag.container()
        .from_(PYTHON_IMAGE)
        .with_env_variable("PYTHONUNBUFFERED", "1")
        .with_env_variable("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .with_exec(["pip", "install", "--no-cache-dir", f"uv=={UV_VERSION}"])
    )
    packages = (*(BROWSER_PACKAGES if browser else ()), *(GIT_PACKAGES if git else ()))
    if packages:
        system = system.with_exec(["sh", "-c", install_system(packages)])
    return (
        system.with_mounted_cache(UV_CACHE, dag.cache_volume(uv_cache_key(lock_digest)))
        .with_env_variable("UV_CACHE_DIR", UV_CACHE)
        .with_env_variable("UV_LINK_MODE", "copy")
        .with_env_variable("UV_PROJECT_ENVIRONMENT", VENV)
        .with_env_variable("PATH", f"{VENV}/bin:$PATH", expand=True)
        .with_workdir(WORKDIR)
        .with_directory(WORKDIR, src, include=list(MANIFESTS))
        .with_exec(["env", "SOURCE_DATE_EPOCH=0", *SYNC_DEPENDENCIES])
        .with_exec(list(UNPACK_CDK))
        .with_mounted_cache(NPM_CACHE, dag.cache_volume("careervp-npm"))
        .with_directory(WORKDIR, src, include=list(NODE_MANIFESTS))
        .with_exec(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"])
        .with_directory(WORKDIR, src, include=list(SCANNER_MANIFESTS))
        .with_exec(["env", f"UV_PROJECT_ENVIRONMENT={SCANNER_VENV}", *SYNC_SCANNER])
        .with_env_variable("CAREERVP_CHECKOV_ENV", SCANNER_VENV)
        .with_directory(WORKDIR, src)
        .with_exec(["uv", "sync", "--frozen"])
    )
