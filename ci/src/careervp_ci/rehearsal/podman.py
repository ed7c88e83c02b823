"""podman as this machine needs it: runc, cgroupfs, file events, ulimits under the host's hard limits, the
host's CA bundle (egress is TLS-intercepted here) and the host network (the package registries, the emulator).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import anyio

GLOBAL_FLAGS: Final = ("--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file")
CA_BUNDLE: Final = "/etc/ssl/certs/ca-certificates.crt"
RUN_FLAGS: Final = (
    "--network=host",
    "--ulimit=nofile=20000:20000",
    "--ulimit=nproc=4096:4096",
    f"--volume={CA_BUNDLE}:{CA_BUNDLE}:ro",
    *(f"--env={name}={CA_BUNDLE}" for name in ("SSL_CERT_FILE", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE")),
)
"""This machine's network, not the module's recipe: so none of it enters a cache key."""
INSTALL_HINT: Final = "install them with `apt-get install podman runc mmdebstrap` (Debian)"


class RehearsalUnavailable(Exception):
    """podman, runc or the base image cannot be had here (exit 2)."""


class PodmanError(Exception):
    """A podman command itself failed (not the command run inside a container)."""


def require_tools() -> None:
    """Refuse loudly, naming what is missing and how to install it."""
    missing = [tool for tool in ("podman", "runc", "mmdebstrap") if shutil.which(tool) is None]
    if missing:
        raise RehearsalUnavailable(f"the rehearsal needs {', '.join(missing)}: {INSTALL_HINT}")
    if not Path(CA_BUNDLE).is_file():
        raise RehearsalUnavailable(f"the rehearsal mounts the host's CA bundle, but {CA_BUNDLE} is missing")


def argv(*words: str) -> list[str]:
    return ["podman", *GLOBAL_FLAGS, *words]


def podman(*words: str, stdin: bytes | None = None) -> str:
    """Run a podman command and return its stdout; a failure names the command and podman's message."""
    done = subprocess.run(argv(*words), input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise PodmanError(f"`podman {' '.join(words[:3])} ...` failed ({done.returncode}): {message}")
    return done.stdout.decode(errors="replace")


async def podman_async(*words: str, env: Mapping[str, str] | None = None) -> tuple[int, str, str]:
    """Run a podman command without blocking the event loop: (exit code, stdout, stderr)."""
    done = await anyio.run_process(argv(*words), check=False, env=dict(env) if env else None)
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")


def image_exists(reference: str) -> bool:
    return subprocess.run(argv("image", "exists", reference), check=False).returncode == 0


def tags(repository: str) -> set[str]:
    """Every `repository:tag` podman holds under `repository`, from one listing."""
    listed = podman("images", "--format={{.Repository}}:{{.Tag}}", f"--filter=reference={repository}")
    return set(listed.split())


def run_flags(extra: Sequence[str] = ()) -> list[str]:
    return [*RUN_FLAGS, *extra]
