"""The step-result store on the Dagger path: the host's shared results, reached from each job's container
but kept out of the container that runs the step.

A job runs the host's own `careervp-ci ci --only STEP` with the host's result cache (an empty one, outside
the tree) in one container whether a store is named or not (`dagger_module.jobs`), so the engine keys a run
with a store as it keys the same run without one. The store has two execs of its own around it:

- the probe, first: the job's container with the store attached read-only, running `ci --only STEP
  --from-cache-only`. The host executor keys the step as on the host (its inputs, tool versions, code),
  takes a verified entry (reports and outputs restored where the step writes them, so the jobs after it are
  handed the same folders) and never runs the step. On a hit that container is the job's; on a miss the
  job's own container runs the step. Entries the probe refused are reported on its stderr.
- the publish, after a pass on a trusted run: the run's container with the store attached writable, running
  the same command; the executor finds the pass the run left in its local cache and publishes it unless the
  store holds it. The jobs after are handed the run's container, never this one.

`--result-store engine` names a store with no service behind it: a cache volume of the engine that runs the
call, mounted into the probe and the publish. A laptop's engine keeps it between calls, so `dagger call ci`
after an edit runs only the steps the edit reaches (the uploaded tree changed, so the engine's own cache
misses every step after it); a new runner's engine starts it empty. Every call on the engine writes it: the
engine's owner runs all of them (a shared, persistent engine that runs forks' pull requests must not use it).

One format, one verification, one writer for both paths. Entries live under `results/<toolchain digest>/`:
the digest of the toolchain container's recipe (`dagger_module.setup`, the system packages the job installs)
and of the lockfiles it installs, so a result never crosses toolchains. The store's S3 credentials reach the
probe and the publish as secrets under names no step reads (`shared_cache.CREDENTIALS`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import dagger

from careervp_ci.dagger_module import setup
from careervp_ci.dagger_module.failures import StepFailed
from careervp_ci.host.cache import FROM_CACHE_ONLY
from careervp_ci.host.shared_cache import (
    CREDENTIAL_PREFIX,
    NAMESPACE_ENV,
    REFUSED,
    SHARED_ENV,
    TRUSTED,
    WRITE_ENV,
)
from careervp_ci.pipeline.steps.context import Status

LOCAL_CACHE: Final = "/tmp/careervp-results"  # noqa: S108  (inside the job's own container)
"""The host cache inside a job: empty in every new container, outside the tree the jobs hand on."""
ENGINE: Final = "engine"
"""`--result-store engine`: the store is the engine's own cache volume."""
ENGINE_VOLUME: Final = "careervp-step-results"
ENGINE_MOUNT: Final = "/var/cache/careervp-engine-results"
CACHED_LINE: Final = "⚡ {step} " + Status.CACHED.value + " ("
"""How the host's plain progress reports a pass taken from the cache (`host.progress.PlainProgress`): in a
probe's new container only an entry of the store can be one."""


@dataclass(frozen=True)
class ResultStore:
    """Where a run's jobs read (and, trusted, write) step results; the credentials only for an S3 store."""

    uri: str
    writable: bool = False
    access_key_id: dagger.Secret | None = None
    secret_access_key: dagger.Secret | None = None
    session_token: dagger.Secret | None = None
    region: str = ""

    @classmethod
    def named(
        cls,
        uri: str,
        *,
        writable: bool,
        access_key_id: dagger.Secret | None = None,
        secret_access_key: dagger.Secret | None = None,
        session_token: dagger.Secret | None = None,
        region: str = "",
    ) -> ResultStore | None:
        """The store the arguments name, or None (every step runs); a half-named store is refused."""
        uri = uri.strip()
        if not uri:
            if writable:
                raise StepFailed("--write-results needs --result-store: name the store to write to")
            return None
        if uri == ENGINE:
            if region or any(s is not None for s in (access_key_id, secret_access_key, session_token)):
                raise StepFailed(
                    "--result-store engine is the engine's own cache volume: the --aws-* arguments are "
                    "for an s3:// store"
                )
            return cls(ENGINE, writable=True)
        if uri.startswith("s3://") and (access_key_id is None) != (secret_access_key is None):
            raise StepFailed(
                f"--result-store {uri}: pass both --aws-access-key-id and --aws-secret-access-key, or "
                "neither (a pull request without credentials: then pass no --result-store, every step runs)"
            )
        if uri.startswith("s3://") and not uri.removeprefix("s3://").split("/")[0]:
            raise StepFailed(f"--result-store {uri!r} names no bucket: use s3://BUCKET/PREFIX")
        return cls(uri, writable, access_key_id, secret_access_key, session_token, region)

    def reader(self) -> ResultStore:
        """This store, read-only: what a probe attaches."""
        return replace(self, writable=False)

    def attach(self, container: dagger.Container, namespace: str) -> dagger.Container:
        """`container` set up so the host's `ci` reads (and, trusted, writes) this store in `namespace`."""
        uri = self.uri
        if uri == ENGINE:
            container = container.with_mounted_cache(ENGINE_MOUNT, dagger.dag.cache_volume(ENGINE_VOLUME))
            uri = ENGINE_MOUNT
        container = container.with_env_variable(SHARED_ENV, uri).with_env_variable(NAMESPACE_ENV, namespace)
        if self.writable:
            container = container.with_env_variable(WRITE_ENV, TRUSTED)
        secrets = {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }
        for name, secret in secrets.items():
            if secret is not None:
                container = container.with_secret_variable(CREDENTIAL_PREFIX + name, secret)
        if self.region:
            container = container.with_env_variable(CREDENTIAL_PREFIX + "AWS_REGION", self.region)
        return container


async def toolchain_digest(src: dagger.Directory, *, browser: bool, git: bool) -> str:
    """The digest of a job's toolchain: the recipe that builds it (setup's source, which pins the image and
    uv), the system packages the job adds, and every lockfile and manifest it installs from."""
    digest = hashlib.sha256(Path(setup.__file__).read_bytes())
    digest.update(f"\0browser={browser}\0git={git}\0".encode())
    for name in (*setup.MANIFESTS, *setup.NODE_MANIFESTS):
        digest.update(f"{name}\0{await src.file(name).digest()}\0".encode())
    return "toolchain-" + digest.hexdigest()[:32]


async def probe(
    store: ResultStore, namespace: str, container: dagger.Container, argv: list[str], step: str
) -> tuple[dagger.Container | None, list[str]]:
    """`container` with `step`'s pass restored from the store (None when the store has none), and the notes
    for the summary: the entries the probe refused, or that it failed (then the step runs, as on a miss)."""
    probed = store.reader().attach(container, namespace).with_exec([*argv, FROM_CACHE_ONLY])
    try:
        probed = await probed.sync()
    except dagger.ExecError as error:
        return None, [f"result store: the probe exited {error.exit_code}; the step runs"]
    stdout, stderr = await probed.stdout(), await probed.stderr()
    return (probed if taken_from_store(step, stdout) else None), refusals(stderr)


async def publish(store: ResultStore, namespace: str, ran: dagger.Container, argv: list[str]) -> list[str]:
    """On a trusted run, publish the pass `ran` left in its local cache (the host `ci` again, on top of it,
    with the store writable); a note when that exec failed: the verdict is the step's alone."""
    if not store.writable:
        return []
    try:
        await store.attach(ran, namespace).with_exec([*argv, FROM_CACHE_ONLY]).sync()
    except dagger.ExecError as error:
        return [f"result store: the publish exited {error.exit_code}; the pass stands, unpublished"]
    return []


def taken_from_store(step: str, stdout: str) -> bool:
    """Whether the job's `careervp-ci ci --only STEP` took the step's pass from the store."""
    return any(line.startswith(CACHED_LINE.format(step=step)) for line in stdout.splitlines())


def refusals(stderr: str) -> list[str]:
    """The entries the store offered and the job refused (the step then ran), as the host reported them."""
    return [line.strip() for line in stderr.splitlines() if line.startswith(REFUSED)]


FROM_STORE: Final = "from store"
"""A job's result in `ci`'s summary when its step's pass came from the store."""
_SUMMARY_LINE = re.compile(rf"^  {FROM_STORE}\s+(?P<step>[a-z0-9-]+)(?: \(after .*\))?$")


def steps_from_store(summary: str) -> list[str]:
    """The steps `ci`'s summary (`dagger_module.jobs.ci_summary`) reports as taken from the store."""
    return [m.group("step") for line in summary.splitlines() if (m := _SUMMARY_LINE.match(line))]
