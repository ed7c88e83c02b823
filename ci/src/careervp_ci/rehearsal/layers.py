"""The rehearsal's layer store: podman images keyed by everything before them, each run once.

The engine reuses a call it has seen congruent (dagql/cache_egraph.go `egraphTerm`, read at v0.21.8, the
nearest tag in our mirror to the pinned v0.21.11): the same operation shape (the field and its literal
arguments: withExec's args, a variable's name and value, a mount's target) applied to inputs equivalent by
recipe (the same calls) or by content (a content digest: a host directory enters by its files' digest, a
secret by its handle). The resolver's key (`values.chain`) is one recipe chain: every call before with its
literal arguments, and a content digest where an input enters (an uploaded folder or file by its content, a
secret by a hash of its value or of its cacheKey). So an identical prefix is reused (the toolchain is built
once per lockfile); a layer the engine would reuse because another recipe reached the same content runs
again here; setSecret is keyed otherwise (`resolver.Engine._Query_setSecret`).
A layer runs once in a process (an in-memory lock per key) and once across processes (a file lock per key:
another world or test worker waits, then reuses it); its output is recorded beside the committed image.
Each run is a real container: the copies made since the last layer are applied, secrets are podman
secrets (never in the image or on a command line), caches are named volumes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import anyio
import dagger

from careervp_ci.rehearsal.podman import image_exists, podman, podman_async, run_flags, tags
from careervp_ci.rehearsal.secret_sources import go_quote
from careervp_ci.rehearsal.tree import file_digest, tree_digest
from careervp_ci.rehearsal.values import (
    ContainerState,
    DirValue,
    FileValue,
    RehearsalGap,
    SecretValue,
    chain,
    engine_error,
)

LAYER_REPOSITORY = "localhost/careervp-rehearsal/layer"
PUBLISH_REPOSITORY = "localhost/careervp-rehearsal/publish"
LAYER_FORMAT = 2
"""In every key: bumped when what a committed layer holds changes (2: no run-time variables in its config)."""
VOLUME_PREFIX = "careervp-rehearsal-"


def volume_prefix(cache: Path) -> str:
    """The start of the podman volumes of the engine whose layer store is `cache`. Dagger's cache volumes
    persist across sessions in the engine that holds them (dagger/dagger's
    docs/current_docs/partials/types/_cache-volume.mdx; `core.NewCache` snapshots them in the engine), so a
    new runner's engine (`--fresh-engine`) starts empty."""
    return f"{VOLUME_PREFIX}{hashlib.sha256(str(cache.resolve()).encode()).hexdigest()[:12]}-"


def remove_volumes(cache: Path) -> None:
    """Remove the cache volumes of the engine whose layer store is `cache` (the engine is being removed)."""
    prefix = volume_prefix(cache)
    names = [name for name in podman("volume", "ls", "--format={{.Name}}").split() if name.startswith(prefix)]
    if names:
        podman("volume", "rm", "--force", *names)


@dataclass
class LayerStore:
    """One rehearsal's view of the store: its cache folder on the host and podman's images and volumes."""

    cache: Path
    runtime_env: Mapping[str, str] = field(default_factory=dict)
    """Variables every container gets at run time and no layer keeps (the emulator's address)."""
    runtime_mounts: Mapping[str, str] = field(default_factory=dict)
    """Host file -> container path, read-only, at run time only (the emulator's targets file)."""
    log: Callable[[str], None] = print
    writable_mounts: Mapping[str, str] = field(default_factory=dict)
    """Host folder -> container path, read-write, at run time only (the result store's folder)."""
    containers: list[str] = field(default_factory=list)
    """Every container a layer came from, in order (run now, or reused from an earlier run)."""
    _layers: dict[str, ContainerState] = field(default_factory=dict)
    _locks: dict[str, anyio.Lock] = field(default_factory=dict)
    _limit: anyio.Semaphore = field(default_factory=lambda: anyio.Semaphore(2))
    _held_tags: set[str] | None = None
    """The layer tags podman held at this store's first lookup (see `_holds`)."""

    def volume(self, key: str) -> str:
        """The podman volume standing in for this engine's cache volume `key` (without upstream's module
        namespace: `resolver.Engine._Query_cacheVolume` says why)."""
        return volume_prefix(self.cache) + re.sub(r"[^a-zA-Z0-9_.-]", "-", key)

    def folder(self, name: str) -> Path:
        """A folder of the cache, made on first use (the resolver keeps its uploads beside the layers)."""
        path = self.cache / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def layer(self, state: ContainerState, args: list[str], key: str) -> ContainerState:
        """The container state after `args` ran on `state`: reused from an earlier run, or run and committed
        now; asked twice at once in this process, it runs once."""
        if key in self._layers:
            return self._layers[key]
        lock = self._locks.setdefault(key, anyio.Lock())
        async with lock:
            if key not in self._layers:
                async with self._held(key):
                    self._layers[key] = await self._layer_held(state, args, key)
        return self._layers[key]

    def _tag(self, key: str) -> str:
        return f"{LAYER_REPOSITORY}:{key[:48]}"

    def _holds(self, tag: str) -> bool:
        """Whether podman holds the layer `tag`: one listing of the layer repository per store (a call),
        then `image exists` only for a tag that listing lacked, which a process beside this one may have
        committed since. A cached call looks up every layer it reuses; one `podman image exists` each took
        0.3 s under the rehearsal's load (364 of them in one rehearsal of pr-validate)."""
        if self._held_tags is None:
            self._held_tags = tags(LAYER_REPOSITORY)
        if tag in self._held_tags:
            return True
        if image_exists(tag):
            self._held_tags.add(tag)
            return True
        return False

    def _record(self, key: str) -> Path:
        return self.folder("layers") / f"{key}.json"

    @asynccontextmanager
    async def _held(self, key: str) -> AsyncIterator[None]:
        """One process at a time runs a layer, as BuildKit runs one of two identical steps: a rehearsal
        beside this one (another world, another test worker) waits for it, then reuses it."""
        with (self.folder("locks") / f"{key[:48]}.lock").open("w") as lock:
            await anyio.to_thread.run_sync(fcntl.flock, lock, fcntl.LOCK_EX)
            yield  # closing the file releases the lock

    async def _layer_held(self, state: ContainerState, args: list[str], key: str) -> ContainerState:
        record, tag = self._record(key), self._tag(key)
        if record.is_file() and await anyio.to_thread.run_sync(self._holds, tag):
            saved = json.loads(record.read_text(encoding="utf-8"))
            self.containers.append(saved["container"])
            return _after(state, tag, saved["stdout"], saved["stderr"], ran=False)
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
                    *(f"--volume={host}:{inside}:rw" for host, inside in self.writable_mounts.items()),
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
                        raise exec_error(args, code, stdout, stderr)
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
        return _after(state, tag, stdout, stderr, ran=True)

    @contextmanager
    def _secrets(self, secrets: Sequence[tuple[str, SecretValue]]) -> Iterator[list[str]]:
        """Podman secrets for one container: injected at start, never committed, removed after. An empty
        secret (a repository secret nobody configured reads as "") is a plain empty variable: podman refuses
        empty secret data, and an empty value has nothing to hide. A secret its provider could not read fails
        the exec before anything starts, with the engine's wording (container_exec.go `secretEnvValues`)."""
        plaintexts = [
            (variable, secret.revealed(f"secret env {go_quote(variable)}: ")) for variable, secret in secrets
        ]
        names = []
        try:
            empty = [f"--env={variable}=" for variable, plaintext in plaintexts if not plaintext]
            for variable, plaintext in plaintexts:
                if not plaintext:
                    continue
                name = f"careervp-rehearsal-{uuid.uuid4().hex}"
                podman("secret", "create", name, "-", stdin=plaintext.encode())
                names.append((name, variable))
            yield [*empty, *(f"--secret={name},type=env,target={variable}" for name, variable in names)]
        finally:
            for name, _ in names:
                podman("secret", "rm", name)

    def _copy_in(self, container: str, pending: Sequence[tuple[str, Path]]) -> None:
        """Apply the pending copies in order, through one staged root (podman cp needs existing parents)."""
        if not pending:
            return
        with tempfile.TemporaryDirectory(prefix="copy-", dir=self.folder("scratch")) as scratch:
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

    async def image(self, state: ContainerState) -> str:
        """The container as one local image, as `publish` packages it: its last layer with the copies made
        since, its variables, working directory and labels in the config (caches and secrets are not in it).
        Tagged by the container's key, so packaging it twice commits once."""
        if not state.image:
            raise RehearsalGap("Container.publish on a container with no image (call from_ first)")
        tag = f"{PUBLISH_REPOSITORY}:{state.key[:48]}"
        if await anyio.to_thread.run_sync(image_exists, tag):
            return tag
        flags = [*(f"--env={name}={value}" for name, value in state.env), f"--workdir={state.workdir}"]
        container = (await _in_thread(podman, "create", *flags, state.image, "true")).strip()
        try:
            await _in_thread(self._copy_in, container, state.pending)
            changes = [f"--change=LABEL={name}={value}" for name, value in state.labels]
            await _in_thread(podman, "commit", "--quiet", *changes, container, tag)
        finally:
            await _in_thread(podman, "rm", "--force", container)
        return tag

    async def materialize(self, state: ContainerState, path: str, *, directory: bool) -> DirValue | FileValue:
        """A folder or file of the container, copied out to the host (cached by the container's key)."""
        inside = state.absolute(path)
        key = chain(state.key, "export", inside)
        out = self.folder("exports") / key
        if not out.exists():
            if not state.image:
                raise RehearsalGap(f"Container.directory/file({path!r}) on a container with no image")
            container = podman("create", state.image, "true").strip()
            try:
                self._copy_in(container, state.pending)
                with tempfile.TemporaryDirectory(prefix="out-", dir=self.folder("scratch")) as scratch:
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
    """Remove layers (and images packaged to publish) no rehearsal made in the last `older_than` (podman's
    `until` filter), so the image store does not grow with every tree ever rehearsed; returns how many were
    removed."""
    stale = [
        image_id
        for repository in (LAYER_REPOSITORY, PUBLISH_REPOSITORY)
        for image_id in podman(
            "images", "--quiet", f"--filter=reference={repository}", f"--filter=until={older_than}"
        ).split()
    ]
    for image_id in dict.fromkeys(stale):
        podman("rmi", "--force", image_id)
    return len(set(stale))


def exec_error(args: Sequence[str], code: int, stdout: str, stderr: str) -> dagger.ExecError:
    """The error the SDK raises for a failed exec, with the fields module code reads. The extensions are the
    engine's (dagger/dagger v0.21.8 `core/exec_error.go` `ExecError.Extensions`); the SDK raises a QueryError
    whose `_type` is EXEC_ERROR as `dagger.ExecError`, reading `exitCode`, `stdout`, `stderr`
    (`dagger/_exceptions.py`). The message's wording is the one upstream's own test quotes
    (`core/integration/module_test.go`: process "/runtime" did not complete successfully: exit code: 2)."""
    return engine_error(  # type: ignore[return-value]
        f'process "{" ".join(args)}" did not complete successfully: exit code: {code}',
        {"_type": "EXEC_ERROR", "cmd": list(args), "exitCode": code, "stdout": stdout, "stderr": stderr},
    )


def _after(state: ContainerState, tag: str, stdout: str, stderr: str, *, ran: bool) -> ContainerState:
    key = chain(state.key, "exec-done", tag)
    fresh = state.fresh or ran
    return replace(state, key=key, image=tag, pending=(), stdout=stdout, stderr=stderr, fresh=fresh)


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
