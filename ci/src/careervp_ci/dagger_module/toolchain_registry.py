"""The toolchain built once per lock: pulled from a registry by the digest of its recipe, else built here.

Every GitHub job starts on an empty engine, so without this each one rebuilds the toolchain (`setup.recipe`)
from the lockfiles. Given a registry (on GitHub the repository's own, `ghcr.io/<owner>/<repo>`, with the
job's token), the image is looked up at `<registry>/careervp-toolchain:<recipe digest>`: the digest covers
the recipe and every manifest it copies, so a changed lock or recipe is a new tag, never a stale image. A
pulled image must carry the same digest in its label (`setup.RECIPE_LABEL`), or it is refused and the
toolchain is built. Only a trusted run (a push to main, never a fork's pull request) publishes what it
built; its token is the only one with `packages: write`.

Engine semantics (dagger/dagger core/schema/container.go, auth/registry.go): `withRegistryAuth` adds the
credential to the session for the address's host and returns the container unchanged, `from` pulls with the
session's credentials, `publish` is never cached and returns the address with the pushed digest.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Final

import anyio
import dagger
from dagger import dag

from careervp_ci.dagger_module.setup import RECIPE_LABEL, Step, build, caches, recipe_digest_of, with_tree
from careervp_ci.errors import UsageError

IMAGE_NAME: Final = "careervp-toolchain"
REGISTRY_ADDRESS: Final = re.compile(
    r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
)
"""A registry host (and port) and repository path, as OCI references spell them: lower case, no scheme, no
tag (distribution/reference's grammar, the part before the tag)."""


class ToolchainRegistryError(UsageError):
    """The registry was named wrongly, or a publish was asked of a run that may not publish (exit 2)."""


@dataclass(frozen=True)
class Registry:
    """Where toolchain images are kept, with the credential to reach it and whether this run may publish."""

    address: str
    """`ghcr.io/<owner>/<repo>` on GitHub (lower case: ghcr refuses upper-case repository names)."""
    username: str = ""
    token: dagger.Secret | None = None
    trusted: bool = False
    """A run whose tree was reviewed onto main: the only kind that may publish an image others will run."""
    obtained: dict[str, dagger.Container] = field(default_factory=dict, init=False, compare=False, repr=False)
    """The toolchain of each digest this call already pulled or built: a call's containers (`ci`'s jobs,
    at once) look the registry up and publish once per variant, not once each (`publish` is never cached)."""
    locks: dict[str, anyio.Lock] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not REGISTRY_ADDRESS.fullmatch(self.address):
            raise ToolchainRegistryError(
                f"toolchain registry {self.address!r} is not a registry address: give HOST[:PORT]/PATH in "
                "lower case, without scheme or tag (on GitHub: ghcr.io/${GITHUB_REPOSITORY,,})"
            )
        if self.token is not None and not self.username:
            raise ToolchainRegistryError(
                f"toolchain registry {self.address}: a token was given without a username "
                '(on GitHub: --toolchain-registry-user "$GITHUB_ACTOR")'
            )

    def image(self, digest: str) -> str:
        """The toolchain's address for a recipe digest."""
        return f"{self.address}/{IMAGE_NAME}:{digest}"

    def authenticated(self, container: dagger.Container) -> dagger.Container:
        """`container` with this registry's credential in the session, when one was given."""
        if self.token is None:
            return container
        return container.with_registry_auth(self.address, self.username, self.token)


def _say(message: str) -> None:
    """A line in the function's log (the engine shows a module's stderr in the call's progress)."""
    print(f"toolchain: {message}", file=sys.stderr, flush=True)


async def pulled(registry: Registry, digest: str) -> dagger.Container | None:
    """The image at the digest's tag when it is there and labelled with that digest; None otherwise (absent,
    unreachable, or another recipe's image under this tag: refused, named in the log)."""
    address = registry.image(digest)
    image = registry.authenticated(dag.container()).from_(address)
    try:
        label = await image.label(RECIPE_LABEL)
    except dagger.QueryError as error:
        _say(f"{address} not pulled ({str(error).strip().splitlines()[0]}); building it")
        return None
    if label != digest:
        _say(
            f"{address} refused: its label {RECIPE_LABEL} is {label!r}, not this recipe's digest; building it"
        )
        return None
    _say(f"pulled {address}")
    return image


async def publish(image: dagger.Container, registry: Registry, digest: str) -> str:
    """Push the built image under its digest's tag; returns the address with the pushed digest. Refused,
    before anything is sent, for a run that is not trusted or has no credential."""
    address = registry.image(digest)
    if not registry.trusted:
        raise ToolchainRegistryError(
            f"refusing to publish {address}: this run is not trusted (only a push to main publishes "
            "toolchains: a pull request's tree must never become the image other runs start from)"
        )
    if registry.token is None:
        raise ToolchainRegistryError(f"refusing to publish {address}: no registry token was given")
    if await image.label(RECIPE_LABEL) != digest:
        raise ToolchainRegistryError(f"refusing to publish {address}: the image is not labelled {digest}")
    return await registry.authenticated(image).publish(address)


async def toolchain_image(
    steps: Sequence[Step], src: dagger.Directory, lock_digest: str, registry: Registry | None
) -> dagger.Container:
    """The recipe's image: pulled from `registry` when its digest's tag is there, else built (and, on a
    trusted run, published). Without a registry it is built, as before there was one."""
    digest = await recipe_digest_of(steps, src)
    built = build(steps, src, caches(lock_digest)).with_label(RECIPE_LABEL, digest)
    if registry is None:
        return built
    async with registry.locks.setdefault(digest, anyio.Lock()):
        if digest not in registry.obtained:
            registry.obtained[digest] = await _pulled_or_built(built, registry, digest)
    return registry.obtained[digest]


async def _pulled_or_built(built: dagger.Container, registry: Registry, digest: str) -> dagger.Container:
    found = await pulled(registry, digest)
    if found is not None:
        return found
    if registry.trusted:
        try:
            _say(f"published {await publish(built, registry, digest)}")
        except dagger.QueryError as error:  # the build stands; the next run builds again, and says why
            _say(f"could not publish {registry.image(digest)}: {str(error).strip().splitlines()[0]}")
    return built


async def toolchain_via(
    steps: Sequence[Step], src: dagger.Directory, lock_digest: str, registry: Registry | None
) -> dagger.Container:
    """`toolchain_image`, then the tree (`setup.with_tree`)."""
    image = await toolchain_image(steps, src, lock_digest, registry)
    return with_tree(image, src, caches(lock_digest))


TOOLCHAIN_REGISTRY: Final[ContextVar[Registry | None]] = ContextVar(
    "careervp_toolchain_registry", default=None
)
"""The registry of this function call, set where the call's arguments are read (`registry_from` of its
flags): every container the call starts (`containers.base`) then takes its toolchain from it; unset, each
builds it."""


def registry_from(
    address: str, username: str = "", token: dagger.Secret | None = None, *, publish: bool = False
) -> Registry | None:
    """The registry a call's arguments name (None for no address: the toolchain is built, as before); a
    publish asked for without a registry is refused, since nothing could be published."""
    if not address:
        if publish:
            raise ToolchainRegistryError(
                "publishing the toolchain needs a registry to publish to (on GitHub: ghcr.io/<owner>/<repo>)"
            )
        return None
    return Registry(address, username, token, trusted=publish)
