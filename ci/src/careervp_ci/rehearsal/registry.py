"""The rehearsal's stand-in for ghcr.io: the CNCF distribution registry (Debian's `docker-registry`) on
loopback, with its storage in a folder of the rehearsal's, started for the block and stopped after it.

Its configuration follows distribution 2.8's (docs/configuration.md): filesystem storage, plain HTTP on
127.0.0.1 only (podman reaches it with `--tls-verify=false`, which the resolver allows for loopback alone).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from careervp_ci.rehearsal.podman import RehearsalUnavailable

SERVER: Final = "docker-registry"
INSTALL_HINT: Final = "apt-get install docker-registry (Debian's CNCF distribution registry)"
STARTUP_SECONDS: Final = 20.0
CONFIG: Final = """version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:{port}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(address: str) -> bool:
    """Whether the registry API answers (`GET /v2/` is 200 on a registry without auth)."""
    try:
        with urllib.request.urlopen(f"http://{address}/v2/", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_registry(storage: Path) -> Iterator[str]:
    """A registry on 127.0.0.1 keeping its images in `storage` for the block; yields its address
    (`127.0.0.1:PORT`). Stopped afterwards, also when the block fails; a server that does not come up is an
    error with its own output."""
    if shutil.which(SERVER) is None:
        raise RehearsalUnavailable(f"the rehearsal's registry needs {SERVER}: {INSTALL_HINT}")
    storage.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    config = storage / "config.yml"
    config.write_text(CONFIG.format(storage=storage / "data", port=port), encoding="utf-8")
    log = storage / "registry.log"
    address = f"127.0.0.1:{port}"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [SERVER, "serve", str(config)], stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(address):
            if server.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(encoding="utf-8", errors="replace").strip()[-1500:]
                raise RehearsalUnavailable(f"the rehearsal's registry did not start on {address}: {tail}")
            time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
