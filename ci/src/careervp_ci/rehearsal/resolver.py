"""Resolves the queries a Dagger module builds into values, the way the engine would.

The SDK turns every awaited call (`stdout()`, `sync()`, `export()`, ...) into one query: the chain of calls
from the root (`container.from.withExec...`), kept in the object's `_ctx.selections`. `rehearsing()` replaces
the SDK's transport with `Engine.resolve`, which walks that chain call by call: a copy (`withDirectory`,
`withFile`), a variable, a secret or a cache volume changes the container's state and its key (every call
before it and the content of every input, a secret by the hash of its value or of its cacheKey: how that
compares with the engine's cache, `layers`); a `withExec` asks the layer store for the layer its key names.
A secret comes from `secret(uri, cacheKey)` or an address (what a Secret flag of `dagger call` gives), read
by `secret_sources`; one its provider cannot read fails where a call uses it, as in the engine. `from`,
`publish` and `withRegistryAuth` reach the rehearsal's registry on loopback (`transfer`), and every toolchain
the call obtained is recorded as built, pulled or cached (`Engine.toolchain`). A call the rehearsal cannot
execute is an error naming the call, never skipped.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import anyio
import dagger
from dagger.client._core import Context, Field

from careervp_ci.dagger_module.setup import RECIPE_LABEL
from careervp_ci.rehearsal import image as base_image
from careervp_ci.rehearsal import secret_sources, transfer
from careervp_ci.rehearsal.layers import LAYER_FORMAT, LayerStore
from careervp_ci.rehearsal.podman import RUN_FLAGS, podman
from careervp_ci.rehearsal.tree import file_digest, stage, tree_digest
from careervp_ci.rehearsal.values import (
    AddressValue,
    CacheValue,
    ContainerState,
    DirValue,
    FileValue,
    HostValue,
    RehearsalGap,
    SecretValue,
    Value,
    chain,
    engine_error,
)

TOOLCHAIN_OUTCOMES = ("built", "pulled", "cached")
"""How a call obtained its toolchain, costliest first: a call that obtained several reports the costliest."""
MACHINE_VARIABLES = frozenset(
    {"container", "TERM", *(flag.split("=", 2)[1] for flag in RUN_FLAGS if flag.startswith("--env="))}
)
"""What podman puts in every committed config on this machine (its own `container`, `TERM`, and the CA
variables of `podman.RUN_FLAGS`): not the image's own variables, so a pulled image's state leaves them out."""
RANDOM_KEY_WARNING = "failed to get secret plaintext, falling back to random cache key"
"""schema/secret.go's warning for a secret its provider could not read when it was made."""


def _expand(value: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), value)


@dataclass
class Engine:
    """One rehearsal's stand-in for the Dagger engine: resolves each query against its layer store."""

    cache: Path
    runtime_env: Mapping[str, str] = field(default_factory=dict)
    """Variables every container gets at run time and no cache key sees (the emulator's address)."""
    runtime_mounts: Mapping[str, str] = field(default_factory=dict)
    """Host file -> container path, read-only, at run time only (the emulator's targets file)."""
    log: Callable[[str], None] = print
    writable_mounts: Mapping[str, str] = field(default_factory=dict)
    """Host folder -> container path, read-write, at run time only (the result store's folder)."""
    layers: LayerStore = field(init=False)
    _uploads: dict[tuple[Path, tuple[str, ...], tuple[str, ...]], DirValue] = field(default_factory=dict)
    """Host folders already uploaded in this call: the engine uploads an argument's folder once per call,
    while the SDK's lazy queries ask for it again at every step that uses it."""
    _ids: dict[str, Value] = field(default_factory=dict)
    """What each ID handed out in this call stands for: the SDK serializes an object (a Secret field of a
    module object, a Container result) as its ID, and loads it back with `node(id:)`."""
    _credentials: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Registry host -> (username, secret): the session's credentials, as `withRegistryAuth` adds them."""
    _pulled: dict[str, ContainerState] = field(default_factory=dict)
    """Each address `from` pulled in this call: the engine resolves a tag once per session."""
    toolchains: list[str] = field(default_factory=list)
    """How each toolchain this call obtained came: built, pulled or cached (the layer store had it)."""

    def __post_init__(self) -> None:
        self.layers = LayerStore(
            self.cache, self.runtime_env, self.runtime_mounts, self.log, writable_mounts=self.writable_mounts
        )

    @property
    def toolchain(self) -> str | None:
        """How this call obtained its toolchain: "built" when any was built, else "pulled" when any was
        pulled, else "cached"; None when it obtained none."""
        return next((outcome for outcome in TOOLCHAIN_OUTCOMES if outcome in self.toolchains), None)

    @property
    def containers(self) -> list[str]:
        """Every container a layer came from, in order (run now, or reused from an earlier run)."""
        return self.layers.containers

    # --- the SDK's entry points ------------------------------------------------------------------------

    async def resolve(self, selections: Sequence[Field]) -> Any:
        value: Any = None
        for selection in selections:
            value = await self._apply(value, selection)
        return value

    async def _arg(self, value: Any) -> Any:
        """An argument that is itself an object (a Directory, a Secret, ...) is resolved by its own query."""
        if isinstance(value, dagger.client.base.Type):
            return await self.resolve(value._ctx.selections)
        return value

    async def _apply(self, value: Any, selection: Field) -> Any:
        args = {name: await self._arg(arg) for name, arg in selection.args.items()}
        if selection.name == "id":
            return self._id(selection.type_name, value)
        if (selection.type_name, selection.name) == ("Query", "node"):
            return self._node(str(args.get("id", "")), selection.inline_type or "")
        handler = getattr(self, f"_{selection.type_name}_{selection.name}", None)
        if handler is None:
            raise RehearsalGap(
                f"the rehearsal cannot execute {selection.type_name}.{selection.name}({_show(args)}): "
                "teach careervp_ci.rehearsal.resolver this call, or do without it in the module"
            )
        accepted = inspect.signature(handler).parameters
        if not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
            unknown = sorted(set(args) - set(accepted))
            if unknown:
                raise RehearsalGap(
                    f"the rehearsal cannot execute {selection.type_name}.{selection.name} with "
                    f"{', '.join(unknown)} ({_show(args)})"
                )
        return await handler(value, **args)

    # --- IDs: objects as the SDK serializes them ---------------------------------------------------------

    def _id(self, type_name: str, value: Value) -> str:
        """An opaque ID for `value`, as the engine gives one: only this engine can load it back."""
        if isinstance(value, HostValue) or value is None:
            raise RehearsalGap(f"the rehearsal cannot give an ID to {type_name} ({value!r})")
        identity = f"rehearsal:{type_name}:{uuid.uuid4().hex}"
        self._ids[identity] = value
        return identity

    def _node(self, identity: str, type_name: str) -> Value:
        """`node(id:) { ... on TYPE }`: the object an ID stands for, refused when the ID is not one this
        engine gave or names another type (the engine refuses both)."""
        if identity not in self._ids:
            raise RehearsalGap(f"node(id: {identity!r}): no object has this ID in this rehearsal")
        given_as = identity.split(":")[1]
        if type_name and type_name != given_as:
            raise RehearsalGap(f"node(id: {identity!r}) is a {given_as}, not a {type_name}")
        return self._ids[identity]

    # --- Query ------------------------------------------------------------------------------------------

    async def _Query_container(self, _: None) -> ContainerState:
        return ContainerState(key=chain("", "container"))

    async def _Query_host(self, _: None) -> HostValue:
        return HostValue()

    async def _Query_directory(self, _: None) -> DirValue:
        empty = self.layers.folder("empty")
        return DirValue(empty, tree_digest(empty))

    async def _Query_cacheVolume(self, _: None, key: str) -> CacheValue:
        """Keyed by `key` alone. Upstream (dagger/dagger v0.21.8, core/schema/cache.go `cacheVolumeCacheKey`
        and `namespaceFromModule`) also keys it by the asking module's namespace (`mod(<name><source root
        subpath>)`, `mainClient` outside a module); the rehearsal does not tell this module's calls from the
        SDK runtime's stand-in (`runtime.SDK_UV_CACHE`), so the two would share a volume where the engine
        keeps two, were their keys ever the same (tests/rehearsal/test_resolver.py keeps them apart)."""
        return CacheValue(key)

    async def _Query_setSecret(self, _: None, name: str, plaintext: str) -> SecretValue:
        """Keyed by the hash of `plaintext`. Upstream (schema/secret.go `setSecret`, core/secret.go
        `SetSecretHandle`) keys it by `name` and the calling module's scope, whatever the value; the rehearsal
        does not tell a module's scope from the CLI's, so it keeps the value's hash: a changed value runs
        again where the engine would reuse, and two names of one value share a key where it would not."""
        return SecretValue(plaintext)

    async def _Query_address(self, _: None, value: str) -> AddressValue:
        if not value:
            raise engine_error("resource cannot have empty address")
        return AddressValue(value)

    async def _Address_secret(self, address: AddressValue) -> SecretValue:
        uri, cache_key = secret_sources.normalised(address.value)
        return await self._Query_secret(None, uri, cache_key)

    async def _Query_secret(self, _: None, uri: str, cacheKey: str | None = None) -> SecretValue:
        """schema/secret.go `secret`: the URI refused at once when the engine refuses it; the plaintext read
        now, keyed by its hash or by `cacheKey`. One the provider cannot read is keyed at random with a
        warning (upstream's also names the URI; not here: a value mistaken for a name would be printed) and
        fails where a call uses it."""
        read = secret_sources.reader(uri)
        if cacheKey == "":
            raise engine_error("secret must have a session resource handle")
        handle = "" if cacheKey is None else chain("cacheKey", cacheKey)
        try:
            plaintext = read()
        except secret_sources.Unreadable as error:
            if cacheKey is None:
                self.log(f"rehearsal: WARN {RANDOM_KEY_WARNING}: {error}")
            return SecretValue("", handle=handle or chain("random", uuid.uuid4().hex), unreadable=str(error))
        return SecretValue(plaintext, handle=handle)

    async def _Host_directory(
        self, _: HostValue, path: str, exclude: Sequence[str] = (), include: Sequence[str] = ()
    ) -> DirValue:
        source = Path(path).resolve()
        if not source.is_dir():
            raise RehearsalGap(f"host directory {path!r} does not exist")
        upload = (source, tuple(exclude), tuple(include))
        if upload not in self._uploads:
            self._uploads[upload] = self._staged(source, exclude, include)
        return self._uploads[upload]

    async def _Host_file(self, _: HostValue, path: str) -> FileValue:
        source = Path(path).resolve()
        if not source.is_file():
            raise RehearsalGap(f"host file {path!r} does not exist")
        digest = "sha256:" + file_digest(source)
        copy = self.cache / "files" / digest.removeprefix("sha256:") / source.name
        if not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
        return FileValue(copy, digest)

    def _staged(self, source: Path, exclude: Sequence[str], include: Sequence[str]) -> DirValue:
        scratch = Path(tempfile.mkdtemp(prefix="stage-", dir=self.layers.folder("scratch")))
        digest = stage(source, scratch / "tree", exclude=exclude, include=include)
        final = self.layers.folder("dirs") / digest.removeprefix("sha256:")
        if final.exists():
            shutil.rmtree(scratch)
        else:
            (scratch / "tree").replace(final)
            shutil.rmtree(scratch)
        return DirValue(final, digest)

    # --- Container --------------------------------------------------------------------------------------

    async def _Container_from(self, state: ContainerState, address: str) -> ContainerState:
        if address != base_image.STANDS_IN_FOR:
            return await self._pulled_image(address)
        reference, config = await anyio.to_thread.run_sync(_base_image, self.log)
        env = tuple(tuple(item.split("=", 1)) for item in config.get("Env") or ())
        return ContainerState(
            key=chain(state.key, "from", address, base_image.recipe_digest(), LAYER_FORMAT),
            image=reference,
            env=env,
            workdir=config.get("WorkingDir") or "/",
        )

    async def _pulled_image(self, address: str) -> ContainerState:
        """An image of the loopback registry, pulled once per call; a toolchain (it carries the recipe
        label) is recorded as pulled, or cached when podman already held that very image."""
        if address in self._pulled:
            return self._pulled[address]
        held = await anyio.to_thread.run_sync(transfer.local_id, address)
        scratch = self.layers.folder("scratch")
        image_id = await anyio.to_thread.run_sync(transfer.pull, address, self._credentials, scratch)
        config = json.loads(podman("image", "inspect", image_id))[0]["Config"]
        env = tuple(
            (name, value)
            for name, _, value in (item.partition("=") for item in config.get("Env") or ())
            if name not in MACHINE_VARIABLES
        )
        labels = tuple(sorted((config.get("Labels") or {}).items()))
        if RECIPE_LABEL in dict(labels):
            self.toolchains.append("cached" if held == image_id else "pulled")
            self.log(f"rehearsal: toolchain {address} {'was held' if held == image_id else 'pulled'}")
        state = ContainerState(
            key=chain("", "from", address, image_id, LAYER_FORMAT),
            image=address,
            env=env,
            workdir=config.get("WorkingDir") or "/",
            labels=labels,
        )
        self._pulled[address] = state
        return state

    async def _Container_withRegistryAuth(
        self, state: ContainerState, address: str, username: str, secret: SecretValue
    ) -> ContainerState:
        """The credential joins the session, keyed by the registry's host; the container is unchanged (the
        engine's withRegistryAuth reads the plaintext now and returns its parent)."""
        self._credentials[transfer.registry_host(address)] = (username, secret.revealed())
        return state

    async def _Container_publish(
        self,
        state: ContainerState,
        address: str,
        platformVariants: Sequence[Any] = (),
        forcedCompression: Any = None,
        mediaTypes: Any = None,
    ) -> str:
        if platformVariants or forcedCompression is not None:
            raise RehearsalGap(f"Container.publish({address!r}) of platform variants or forced compression")
        if mediaTypes not in (None, "OCIMediaTypes", dagger.ImageMediaTypes.OCIMediaTypes):
            raise RehearsalGap(f"Container.publish({address!r}) with media types {mediaTypes!r}")
        transfer.loopback_host("Container.publish", address)  # before anything is packaged
        local = await self.layers.image(state)
        scratch = self.layers.folder("scratch")
        published = await anyio.to_thread.run_sync(transfer.push, local, address, self._credentials, scratch)
        self.log(f"rehearsal: published {published}")
        return published

    async def _Container_withLabel(self, state: ContainerState, name: str, value: str) -> ContainerState:
        if name == RECIPE_LABEL:  # the toolchain, complete: built in this call, or all of it in the store
            self.toolchains.append("built" if state.fresh else "cached")
        return replace(state.with_label(name, value), key=chain(state.key, "label", name, value))

    async def _Container_label(self, state: ContainerState, name: str) -> str | None:
        return dict(state.labels).get(name)

    async def _Container_withEnvVariable(
        self, state: ContainerState, name: str, value: str, expand: bool = False
    ) -> ContainerState:
        final = _expand(value, dict(state.env)) if expand else value
        return replace(state.with_env(name, final), key=chain(state.key, "env", name, final))

    async def _Container_withWorkdir(self, state: ContainerState, path: str) -> ContainerState:
        workdir = state.absolute(path)
        return replace(state, workdir=workdir, key=chain(state.key, "workdir", workdir))

    async def _Container_withMountedCache(
        self, state: ContainerState, path: str, cache: CacheValue
    ) -> ContainerState:
        target = state.absolute(path)
        volume = self.layers.volume(cache.key)
        mounts = (*((p, v) for p, v in state.mounts if p != target), (target, volume))
        return replace(state, mounts=mounts, key=chain(state.key, "cache", target, cache.key))

    async def _Container_withDirectory(
        self,
        state: ContainerState,
        path: str,
        source: DirValue,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> ContainerState:
        if include or exclude:
            source = self._staged(source.path, exclude, include)
        target = state.absolute(path)
        return replace(
            state,
            pending=(*state.pending, (target, source.path)),
            key=chain(state.key, "directory", target, source.digest),
        )

    async def _Container_withFile(
        self, state: ContainerState, path: str, source: FileValue
    ) -> ContainerState:
        target = state.absolute(path)
        return replace(
            state,
            pending=(*state.pending, (target, source.path)),
            key=chain(state.key, "file", target, source.digest),
        )

    async def _Container_withSecretVariable(
        self, state: ContainerState, name: str, secret: SecretValue
    ) -> ContainerState:
        secrets = (*((k, s) for k, s in state.secrets if k != name), (name, secret))
        return replace(state, secrets=secrets, key=chain(state.key, "secret", name, secret.digest))

    async def _Container_withExec(
        self, state: ContainerState, args: Sequence[str], **other: Any
    ) -> ContainerState:
        if other:
            raise RehearsalGap(f"Container.withExec({list(args)}) with {_show(other)} is not rehearsed")
        return await self.layers.layer(state, list(args), chain(state.key, "exec", list(args)))

    async def _Container_sync(self, state: ContainerState) -> ContainerState:
        return state

    async def _Container_envVariable(self, state: ContainerState, name: str) -> str | None:
        return dict(state.env).get(name)

    async def _Container_stdout(self, state: ContainerState) -> str:
        return state.stdout

    async def _Container_stderr(self, state: ContainerState) -> str:
        return state.stderr

    async def _Container_directory(self, state: ContainerState, path: str) -> DirValue:
        return await self.layers.materialize(state, path, directory=True)  # type: ignore[return-value]

    async def _Container_file(self, state: ContainerState, path: str) -> FileValue:
        return await self.layers.materialize(state, path, directory=False)  # type: ignore[return-value]

    # --- Directory and File -----------------------------------------------------------------------------

    async def _Directory_directory(self, value: DirValue, path: str) -> DirValue:
        inner = value.path / path
        if not inner.is_dir():
            raise RehearsalGap(f"Directory.directory({path!r}): no such folder in the directory")
        return DirValue(inner, tree_digest(inner))

    async def _Directory_file(self, value: DirValue, path: str) -> FileValue:
        inner = value.path / path
        if not inner.is_file():
            raise RehearsalGap(f"Directory.file({path!r}): no such file in the directory")
        return FileValue(inner, "sha256:" + file_digest(inner))

    async def _Directory_glob(self, value: DirValue, pattern: str) -> list[str]:
        found = sorted(value.path.glob(pattern))
        return [p.relative_to(value.path).as_posix() + ("/" if p.is_dir() else "") for p in found]

    async def _Directory_entries(self, value: DirValue, path: str = ".") -> list[str]:
        return sorted(p.name + ("/" if p.is_dir() else "") for p in (value.path / path).iterdir())

    async def _Directory_withDirectory(self, value: DirValue, path: str, source: DirValue) -> DirValue:
        key = chain(value.digest, "with-directory", path, source.digest)
        merged = self.layers.folder("merged") / key
        if not merged.exists():
            with tempfile.TemporaryDirectory(prefix="merge-", dir=self.layers.folder("scratch")) as scratch:
                target = Path(scratch) / "tree"
                shutil.copytree(value.path, target, symlinks=True)
                shutil.copytree(source.path, target / path, symlinks=True, dirs_exist_ok=True)
                target.replace(merged)
        return DirValue(merged, tree_digest(merged))

    async def _Directory_digest(self, value: DirValue) -> str:
        return value.digest

    async def _Directory_export(self, value: DirValue, path: str, wipe: bool = False) -> str:
        target = Path(path).resolve()
        if wipe and target.exists():
            shutil.rmtree(target)
        shutil.copytree(value.path, target, symlinks=True, dirs_exist_ok=True)
        return str(target)

    async def _File_digest(self, value: FileValue, excludeMetadata: bool = False) -> str:
        return value.digest

    async def _File_contents(self, value: FileValue) -> str:
        return value.path.read_text(encoding="utf-8")

    async def _File_name(self, value: FileValue) -> str:
        return value.path.name

    async def _File_export(self, value: FileValue, path: str) -> str:
        target = Path(path).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(value.path, target)
        return str(target)


@functools.cache
def _base_image(log: Callable[[str], None]) -> tuple[str, dict[str, Any]]:
    """The stand-in base image and its config, once per process: its tag names its recipe, so it never
    changes under a call, while a module asks for it at every container it starts."""
    reference = base_image.ensure_base_image(log)
    config: dict[str, Any] = json.loads(podman("image", "inspect", reference))[0]["Config"]
    return reference, config


def _show(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in args.items())


@contextmanager
def rehearsing(engine: Engine) -> Iterator[Engine]:
    """Route every query the SDK makes in this process to `engine` (and never to a real engine)."""

    async def execute(self: Context, return_type: Any = None) -> Any:
        return await engine.resolve(self.selections)

    async def execute_sync(self: Context, obj: Any, field_name: str = "sync", args: Any = ()) -> Any:
        await engine.resolve([*obj._ctx.selections, Field(obj._graphql_name(), field_name, {})])
        return obj

    async def refuse(self: Context, *_: Any) -> Any:
        raise RehearsalGap("object lists (Context.execute_object_list) are not rehearsed")

    saved: dict[str, Callable[..., Awaitable[Any]]] = {
        name: getattr(Context, name) for name in ("execute", "execute_sync", "execute_object_list")
    }
    Context.execute = execute  # type: ignore[method-assign]
    Context.execute_sync = execute_sync  # type: ignore[method-assign]
    Context.execute_object_list = refuse  # type: ignore[method-assign,assignment]
    try:
        yield engine
    finally:
        for name, original in saved.items():
            setattr(Context, name, original)
