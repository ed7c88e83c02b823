"""The base container every Dagger function starts from: the project's toolchain, pinned.

Python comes from an image pinned by digest (its tag matches `.python-version`), uv from the version the
Makefile bootstraps, Python tools from `uv.lock` and Node tools from `package-lock.json`: each pin is held by
something that stays. No git: nothing in a container runs it (a build is given its commit, the history is
read with dulwich from the lock), and a `name=version` pin against live Debian breaks every fresh engine the
day a security update retires that version. Dependencies are installed from the manifests alone before the
rest of the tree arrives, so a source edit reuses them. As on the host (Makefile), third-party Python gets
hash-based bytecode and npm runs no install scripts (the only one builds libxmljs2, which the JSON SBOM never
loads).

The part before the tree is a recipe held as data (`recipe`), so the one description both builds the image
and names it: `recipe_digest` hashes the recipe and the manifests it copies, and that digest is the image's
tag in a registry and its label (`careervp_ci.dagger_module.toolchain_registry` pulls or publishes it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
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


RECIPE_LABEL: Final = "org.careervp.toolchain.recipe"
"""The label every toolchain image carries: the digest of the recipe and manifests it was built from, checked
after a pull so an image under the right tag but of another recipe is refused."""

Step = tuple[str, ...]
"""One call of the recipe: ("from", ref), ("env", name, value), ("expand", name, value) (a variable whose
value expands $NAME), ("exec", *argv), ("cache", path, volume), ("workdir", path), ("files", target, *names)
(those files of the tree copied into `target`)."""


def uv_cache_key(lock_digest: str) -> str:
    """A uv cache volume per lockfile: a changed lock starts clean instead of growing one volume forever."""
    return f"careervp-uv-{lock_digest.removeprefix('sha256:')[:16]}"


def caches(lock_digest: str) -> dict[str, dagger.CacheVolume]:
    """The cache volumes a recipe's ("cache", path, volume) steps name: never part of the image."""
    return {"uv": dag.cache_volume(uv_cache_key(lock_digest)), "npm": dag.cache_volume("careervp-npm")}


def recipe(*, browser: bool = False, git: bool = False) -> tuple[Step, ...]:
    """The toolchain before the tree: the pinned image with uv, the locked Python environment and the Node
    tools, then Chromium for the calls that smoke (deploy, smoke, promote, hotfix, release-local) and git for
    the tests that build repositories. The system packages come last, Chromium before git, so every variant
    shares the locked installs and the git variant the Chromium layer (one `ci` builds three variants in one
    engine; installed first, each repeated them, about 2 minutes apiece); they still come before the tree,
    so a source edit reuses them."""
    wanted = (BROWSER_PACKAGES if browser else (), GIT_PACKAGES if git else ())
    system = tuple(("exec", "sh", "-c", install_system(packages)) for packages in wanted if packages)
    return (
        ("from", PYTHON_IMAGE),
        ("env", "PYTHONUNBUFFERED", "1"),
        ("env", "PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ("exec", "pip", "install", "--no-cache-dir", f"uv=={UV_VERSION}"),
        ("cache", UV_CACHE, "uv"),
        ("env", "UV_CACHE_DIR", UV_CACHE),
        ("env", "UV_LINK_MODE", "copy"),
        ("env", "UV_PROJECT_ENVIRONMENT", VENV),
        ("expand", "PATH", f"{VENV}/bin:$PATH"),
        ("workdir", WORKDIR),
        ("files", WORKDIR, *MANIFESTS),
        ("exec", "env", "SOURCE_DATE_EPOCH=0", *SYNC_DEPENDENCIES),
        ("exec", *UNPACK_CDK),
        ("cache", NPM_CACHE, "npm"),
        ("files", WORKDIR, *NODE_MANIFESTS),
        ("exec", "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"),
        ("files", WORKDIR, *SCANNER_MANIFESTS),
        ("exec", "env", f"UV_PROJECT_ENVIRONMENT={SCANNER_VENV}", *SYNC_SCANNER),
        ("env", "CAREERVP_CHECKOV_ENV", SCANNER_VENV),
        *system,
    )


def copied_files(steps: Sequence[Step]) -> list[str]:
    """The files of the tree a recipe copies in, in order: with the recipe, they decide the image."""
    return [name for kind, _, *names in (s for s in steps if s[0] == "files") for name in names]


def recipe_digest(steps: Sequence[Step], file_digests: Mapping[str, str]) -> str:
    """The digest of a recipe and of the files it copies (`file_digests`: each one's sha256 of its content,
    by name): 64 hex characters, the same for the same recipe and manifests on any engine, another for any
    change to either."""
    missing = sorted(set(copied_files(steps)) - set(file_digests))
    if missing:
        raise ValueError(f"recipe_digest needs the digest of {', '.join(missing)}")
    files = [[name, file_digests[name]] for name in copied_files(steps)]
    document = json.dumps({"recipe": [list(step) for step in steps], "files": files}, sort_keys=True)
    return hashlib.sha256(document.encode()).hexdigest()


async def recipe_digest_of(steps: Sequence[Step], src: dagger.Directory) -> str:
    """`recipe_digest` of the files in the tree the recipe copies them from: their content digests
    (`excludeMetadata`: the engine's plain sha256 of the bytes, so no engine version or mtime moves it)."""
    digests = {name: await src.file(name).digest(exclude_metadata=True) for name in copied_files(steps)}
    return recipe_digest(steps, digests)


def build(
    steps: Sequence[Step], src: dagger.Directory, volumes: Mapping[str, dagger.CacheVolume]
) -> dagger.Container:
    """The container the recipe describes, step by step, from `src`'s files and the named cache volumes."""
    container = dag.container()
    for kind, *args in steps:
        if kind == "from":
            container = container.from_(args[0])
        elif kind in ("env", "expand"):
            container = container.with_env_variable(args[0], args[1], expand=kind == "expand")
        elif kind == "exec":
            container = container.with_exec(args)
        elif kind == "cache":
            container = container.with_mounted_cache(args[0], volumes[args[1]])
        elif kind == "workdir":
            container = container.with_workdir(args[0])
        elif kind == "files":
            container = container.with_directory(args[0], src, include=args[1:])
        else:
            raise ValueError(
                f"recipe step {kind!r} is none of from, env, expand, exec, cache, workdir, files"
            )
    return container


def with_tree(
    image: dagger.Container, src: dagger.Directory, volumes: Mapping[str, dagger.CacheVolume]
) -> dagger.Container:
    """The toolchain image (built here or pulled) with its caches mounted again (an image carries no mount)
    and the tree, the workspace's own packages installed."""
    return (
        image.with_mounted_cache(UV_CACHE, volumes["uv"])
        .with_mounted_cache(NPM_CACHE, volumes["npm"])
        .with_directory(WORKDIR, src)
        .with_exec(["uv", "sync", "--frozen"])
    )
