"""Executes the queries a Dagger module builds, in podman, the way the engine would.

The SDK turns every awaited call (`stdout()`, `sync()`, `export()`, ...) into one query: the chain of calls
from the root (`container.from.withExec...`), kept in the object's `_ctx.selections`. `rehearsing()` replaces
the SDK's transport with `Engine.resolve`, which walks that chain: each `withExec` runs in a real container
created from the previous layer, with the copies (`withDirectory`, `withFile`) made since, its environment,
secrets (podman secrets, never in the image or on a command line) and cache volumes (named volumes); the
result is committed as the next layer. Like BuildKit, a layer is keyed by the digest of every call before it
and the content of every input, and an identical prefix is reused, so the toolchain is built once per
lockfile. A call the rehearsal cannot execute is an error naming the call, never skipped.
"""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import json
import re
import shutil
import tempfile
import time
import types
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import anyio
import dagger
from dagger import QueryError
from dagger._exceptions import QueryErrorValue
from dagger.client._core import Context, Field

from careervp_ci.rehearsal import image as base_image
from careervp_ci.rehearsal.podman import podman, podman_async, run_flags
from careervp_ci.rehearsal.tree import file_digest, stage, tree_digest

LAYER_REPOSITORY = "localhost/careervp-rehearsal/layer"
LAYER_FORMAT = 2
"""In every key: bumped when what a committed layer holds changes (2: no run-time variables in its config)."""
VOLUME_PREFIX = "careervp-rehearsal-"


class RehearsalGap(Exception):
    """The query asks for something the rehearsal does not execute: it fails loudly, naming the call."""


@dataclass(frozen=True)
class DirValue:
    path: Path
    digest: str


@dataclass(frozen=True)
class FileValue:
    path: Path
    digest: str


@dataclass(frozen=True)
class SecretValue:
    plaintext: str

    @property
    def digest(self) -> str:
        """Secrets enter cache keys by the hash of their value, as in the engine, never the value."""
        return hashlib.sha256(self.plaintext.encode()).hexdigest()


@dataclass(frozen=True)
class CacheValue:
    key: str


class HostValue:
    """`dag.host()`: the machine the CLI runs on."""


@dataclass(frozen=True)
class ContainerState:
    key: str
    image: str = ""
    pending: tuple[tuple[str, Path], ...] = ()
    """Copies (container path, host file or folder) made since `image` was committed."""
    env: tuple[tuple[str, str], ...] = ()
    secrets: tuple[tuple[str, SecretValue], ...] = ()
    workdir: str = "/"
    mounts: tuple[tuple[str, str], ...] = ()
    stdout: str = ""
    stderr: str = ""

    def with_env(self, name: str, value: str) -> ContainerState:
        return replace(self, env=(*((k, v) for k, v in self.env if k != name), (name, value)))


Value = ContainerState | DirValue | FileValue | SecretValue | CacheValue | HostValue | None


def chain(key: str, *parts: object) -> str:
    return hashlib.sha256(json.dumps([key, *parts], sort_keys=True, default=str).encode()).hexdigest()


def _expand(value: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), value)


def _absolute(path: str, workdir: str) -> str:
    return str(PurePosixPath(workdir) / path)


@dataclass
class Engine:
    """One rehearsal's executor: a cache folder on the host, podman's image store and named volumes."""

    cache: Path
    runtime_env: Mapping[str, str] = field(default_factory=dict)
    """Variables every container gets at run time and no cache key sees (the emulator's address)."""
    runtime_mounts: Mapping[str, str] = field(default_factory=dict)
    """Host file -> container path, read-only, at run time only (the emulator's targets file)."""
    log: Callable[[str], None] = print
    containers: list[str] = field(default_factory=list)
    """Every container a layer came from, in order (run now, or reused from an earlier run)."""
    _layers: dict[str, ContainerState] = field(default_factory=dict)
    _uploads: dict[tuple[Path, tuple[str, ...], tuple[str, ...]], DirValue] = field(default_factory=dict)
    """Host folders already uploaded in this call: the engine uploads an argument's folder once per call,
    while the SDK's lazy queries ask for it again at every step that uses it."""
    _locks: dict[str, anyio.Lock] = field(default_factory=dict)
    _limit: anyio.Semaphore = field(default_factory=lambda: anyio.Semaphore(2))
    _ids: dict[str, Value] = field(default_factory=dict)
    """What each ID handed out in this call stands for: the SDK serializes an object (a Secret field of a
    module object, a Container result) as its ID, and loads it back with `node(id:)`."""

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
                "teach careervp_ci.rehearsal.engine this call, or do without it in the module"
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
        empty = self.cache / "empty"
        empty.mkdir(parents=True, exist_ok=True)
        return DirValue(empty, tree_digest(empty))

    async def _Query_cacheVolume(self, _: None, key: str) -> CacheValue:
        return CacheValue(key)

    async def _Query_setSecret(self, _: None, name: str, plaintext: str) -> SecretValue:
        return SecretValue(plaintext)

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
        scratch = Path(tempfile.mkdtemp(prefix="stage-", dir=self._dir("scratch")))
        digest = stage(source, scratch / "tree", exclude=exclude, include=include)
        final = self._dir("dirs") / digest.removeprefix("sha256:")
        if final.exists():
            shutil.rmtree(scratch)
        else:
            (scratch / "tree").replace(final)
            shutil.rmtree(scratch)
        return DirValue(final, digest)

    def _dir(self, name: str) -> Path:
        path = self.cache / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    # --- Container --------------------------------------------------------------------------------------

    async def _Container_from(self, state: ContainerState, address: str) -> ContainerState:
        if address != base_image.STANDS_IN_FOR:
            raise RehearsalGap(
                f"Container.from({address!r}): no registry is reachable here, and the rehearsal stands in "
                f"only for {base_image.STANDS_IN_FOR}"
            )
        reference = await anyio.to_thread.run_sync(base_image.ensure_base_image, self.log)
        config = json.loads(podman("image", "inspect", reference))[0]["Config"]
        env = tuple(tuple(item.split("=", 1)) for item in config.get("Env") or ())
        return ContainerState(
            key=chain(state.key, "from", address, base_image.recipe_digest(), LAYER_FORMAT),
            image=reference,
            env=env,
            workdir=config.get("WorkingDir") or "/",
        )

    async def _Container_withEnvVariable(
        self, state: ContainerState, name: str, value: str, expand: bool = False
    ) -> ContainerState:
        final = _expand(value, dict(state.env)) if expand else value
        return replace(state.with_env(name, final), key=chain(state.key, "env", name, final))

    async def _Container_withWorkdir(self, state: ContainerState, path: str) -> ContainerState:
        workdir = _absolute(path, state.workdir)
        return replace(state, workdir=workdir, key=chain(state.key, "workdir", workdir))

    async def _Container_withMountedCache(
        self, state: ContainerState, path: str, cache: CacheValue
    ) -> ContainerState:
        target = _absolute(path, state.workdir)
        volume = VOLUME_PREFIX + re.sub(r"[^a-zA-Z0-9_.-]", "-", cache.key)
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
        target = _absolute(path, state.workdir)
        return replace(
            state,
            pending=(*state.pending, (target, source.path)),
            key=chain(state.key, "directory", target, source.digest),
        )

    async def _Container_withFile(
        self, state: ContainerState, path: str, source: FileValue
    ) -> ContainerState:
        target = _absolute(path, state.workdir)
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
        key = chain(state.key, "exec", list(args))
        if key in self._layers:
            return self._layers[key]
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            if key not in self._layers:
                self._layers[key] = await self._layer(state, list(args), key)
        return self._layers[key]

    async def _Container_sync(self, state: ContainerState) -> ContainerState:
        return state

    async def _Container_stdout(self, state: ContainerState) -> str:
        return state.stdout

    async def _Container_stderr(self, state: ContainerState) -> str:
        return state.stderr

    async def _Container_directory(self, state: ContainerState, path: str) -> DirValue:
        return await self._materialize(state, path, directory=True)  # type: ignore[return-value]

    async def _Container_file(self, state: ContainerState, path: str) -> FileValue:
        return await self._materialize(state, path, directory=False)  # type: ignore[return-value]

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
        merged = self._dir("merged") / key
        if not merged.exists():
            with tempfile.TemporaryDirectory(prefix="merge-", dir=self._dir("scratch")) as scratch:
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

    # --- containers for real ----------------------------------------------------------------------------

    def _tag(self, key: str) -> str:
        return f"{LAYER_REPOSITORY}:{key[:48]}"

    def _record(self, key: str) -> Path:
        return self._dir("layers") / f"{key}.json"

    async def _layer(self, state: ContainerState, args: list[str], key: str) -> ContainerState:
        """The container state after `args` ran: reused from an earlier run, or run and committed now."""
        async with self._held(key):
            return await self._layer_held(state, args, key)

    @asynccontextmanager
    async def _held(self, key: str) -> AsyncIterator[None]:
        """One process at a time runs a layer, as BuildKit runs one of two identical steps: a rehearsal
        beside this one (another world, another test worker) waits for it, then reuses it."""
        with (self._dir("locks") / f"{key[:48]}.lock").open("w") as lock:
            await anyio.to_thread.run_sync(fcntl.flock, lock, fcntl.LOCK_EX)
            yield  # closing the file releases the lock

    async def _layer_held(self, state: ContainerState, args: list[str], key: str) -> ContainerState:
        record, tag = self._record(key), self._tag(key)
        if record.is_file() and await anyio.to_thread.run_sync(_image_exists, tag):
            saved = json.loads(record.read_text(encoding="utf-8"))
            self.containers.append(saved["container"])
            return _after(state, tag, saved["stdout"], saved["stderr"])
        if not state.image:
            raise RehearsalGap(f"Container.withExec({args}) on a container with no image (call from_ first)")
        async with self._limit:
            # Run-time variables travel like secrets: `podman commit` keeps every --env in the layer's config,
            # and a layer must not carry this run's emulator address into the next rehearsal.
            runtime = [(name, SecretValue(value)) for name, value in self.runtime_env.items()]
            with self._secrets([*state.secrets, *runtime]) as secret_flags:
                flags = [
                    *run_flags(),
                    *(f"--env={name}={value}" for name, value in state.env),
                    *secret_flags,
                    *(f"--volume={volume}:{path}" for path, volume in state.mounts),
                    *(f"--volume={host}:{inside}:ro" for host, inside in self.runtime_mounts.items()),
                    f"--workdir={state.workdir}",
                ]
                # podman's own commands run on a worker thread: copying a tree in or committing a
                # layer of a gigabyte takes seconds, and the jobs running beside this one must go on.
                started = time.monotonic()
                container = (await _in_thread(podman, "create", *flags, state.image, *args)).strip()
                self.containers.append(container)
                try:
                    await _in_thread(self._copy_in, container, state.pending)
                    self.log(f"rehearsal: run {_short(args)} in {container[:12]}")
                    ran = time.monotonic()
                    code, stdout, stderr = await podman_async("start", "--attach", container)
                    stdout, stderr = (_scrub(text, state.secrets) for text in (stdout, stderr))
                    if code != 0:
                        raise _exec_error(args, code, stdout, stderr)
                    committing = time.monotonic()
                    await _in_thread(podman, "commit", "--quiet", container, tag)
                    self.log(
                        f"rehearsal: {container[:12]} took {time.monotonic() - started:.1f} s (copy in "
                        f"{ran - started:.1f}, run {committing - ran:.1f}, commit "
                        f"{time.monotonic() - committing:.1f})"
                    )
                finally:
                    with anyio.CancelScope(shield=True):  # a job cancelled by a failure beside it too
                        await _in_thread(podman, "rm", "--force", container)
        record.write_text(
            json.dumps({"container": container, "stdout": stdout, "stderr": stderr}), encoding="utf-8"
        )
        return _after(state, tag, stdout, stderr)

    @contextmanager
    def _secrets(self, secrets: Sequence[tuple[str, SecretValue]]) -> Iterator[list[str]]:
        """Podman secrets for one container: injected at start, never committed, removed after. An empty
        secret (a repository secret nobody configured reads as "") is a plain empty variable: podman refuses
        empty secret data, and an empty value has nothing to hide."""
        names = []
        try:
            empty = [f"--env={variable}=" for variable, secret in secrets if not secret.plaintext]
            for variable, secret in secrets:
                if not secret.plaintext:
                    continue
                name = f"careervp-rehearsal-{uuid.uuid4().hex}"
                podman("secret", "create", name, "-", stdin=secret.plaintext.encode())
                names.append((name, variable))
            yield [*empty, *(f"--secret={name},type=env,target={variable}" for name, variable in names)]
        finally:
            for name, _ in names:
                podman("secret", "rm", name)

    def _copy_in(self, container: str, pending: Sequence[tuple[str, Path]]) -> None:
        """Apply the pending copies in order, through one staged root (podman cp needs existing parents)."""
        if not pending:
            return
        with tempfile.TemporaryDirectory(prefix="copy-", dir=self._dir("scratch")) as scratch:
            root = Path(scratch) / "root"
            root.mkdir(mode=0o755)
            for target, source in pending:
                destination = root / target.lstrip("/")
                destination.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
                if source.is_dir():
                    shutil.copytree(source, destination, symlinks=True, dirs_exist_ok=True)
                else:
                    shutil.copy2(source, destination)
            for folder in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
                folder.chmod(0o755)
            podman("cp", f"{root}/.", f"{container}:/")

    async def _materialize(
        self, state: ContainerState, path: str, *, directory: bool
    ) -> DirValue | FileValue:
        """A folder or file of the container, copied out to the host (cached by the container's key)."""
        inside = _absolute(path, state.workdir)
        key = chain(state.key, "export", inside)
        out = self._dir("exports") / key
        if not out.exists():
            if not state.image:
                raise RehearsalGap(f"Container.directory/file({path!r}) on a container with no image")
            container = podman("create", state.image, "true").strip()
            try:
                self._copy_in(container, state.pending)
                with tempfile.TemporaryDirectory(prefix="out-", dir=self._dir("scratch")) as scratch:
                    podman("cp", f"{container}:{inside}", f"{scratch}/item")
                    try:
                        Path(scratch, "item").replace(out)
                    except OSError:
                        if not out.exists():  # else a rehearsal beside this one exported it first
                            raise
            except Exception as error:
                raise RehearsalGap(
                    f"Container.{'directory' if directory else 'file'}({path!r}): {error}"
                ) from error
            finally:
                podman("rm", "--force", container)
        if directory != out.is_dir():
            kind = "a folder" if directory else "a file"
            raise RehearsalGap(f"Container path {inside!r} is not {kind}")
        if directory:
            return DirValue(out, tree_digest(out))
        return FileValue(out, "sha256:" + file_digest(out))


def prune_layers(older_than: str = "48h") -> int:
    """Remove layers no rehearsal made in the last `older_than` (podman's `until` filter), so the image
    store does not grow with every tree ever rehearsed; returns how many were removed."""
    stale = podman(
        "images", "--quiet", f"--filter=reference={LAYER_REPOSITORY}", f"--filter=until={older_than}"
    ).split()
    for image_id in dict.fromkeys(stale):
        podman("rmi", "--force", image_id)
    return len(set(stale))


def _after(state: ContainerState, tag: str, stdout: str, stderr: str) -> ContainerState:
    key = chain(state.key, "exec-done", tag)
    return replace(state, key=key, image=tag, pending=(), stdout=stdout, stderr=stderr)


def _image_exists(tag: str) -> bool:
    from careervp_ci.rehearsal.podman import image_exists  # noqa: PLC0415

    return image_exists(tag)


def _scrub(text: str, secrets: Sequence[tuple[str, SecretValue]]) -> str:
    """The engine replaces secret values in output with ***; so does the rehearsal."""
    for _, secret in secrets:
        if secret.plaintext:
            text = text.replace(secret.plaintext, "***")
    return text


async def _in_thread(function: Callable[..., Any], *args: Any) -> Any:
    return await anyio.to_thread.run_sync(lambda: function(*args))


def _short(args: Sequence[str]) -> str:
    text = " ".join(args)
    return text if len(text) <= 100 else text[:97] + "..."


def _show(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in args.items())


def _exec_error(args: Sequence[str], code: int, stdout: str, stderr: str) -> dagger.ExecError:
    """The error the SDK raises for a failed exec, with the fields module code reads."""
    value = QueryErrorValue(
        message=f'process "{" ".join(args)}" did not complete successfully: exit code: {code}',
        extensions={
            "_type": "EXEC_ERROR",
            "cmd": list(args),
            "exitCode": code,
            "stdout": stdout,
            "stderr": stderr,
        },
    )
    return QueryError([value], types.SimpleNamespace(document=None))  # type: ignore[return-value,arg-type]


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
