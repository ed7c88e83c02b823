"""The rehearsal's one substitution for a registry image: python:3.13-slim, rebuilt locally.

No registry is reachable here, so the digest-pinned `python:3.13-slim` the module starts from is stood in for
by an image built from Debian trixie (the release that image is built on) with mmdebstrap, then shaped to
present the same interface: `python` and `pip` on PATH, no PEP 668 marker, HOME=/root, WORKDIR /,
LANG=C.UTF-8, and no git (the real image has none either). The image is built once per recipe and kept in
podman's store.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Final

from careervp_ci.dagger_module.setup import PYTHON_IMAGE
from careervp_ci.rehearsal.podman import RehearsalUnavailable, image_exists, podman, run_flags

SUITE: Final = "trixie"
PACKAGES: Final = ("python3", "python3-venv", "python3-pip", "ca-certificates")
IMAGE_ENV: Final = (
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG=C.UTF-8",
)
SHAPE: Final = (
    "set -e; ln -sf /usr/bin/python3 /usr/local/bin/python; ln -sf /usr/bin/pip3 /usr/local/bin/pip; "
    "rm -f /usr/lib/python3*/EXTERNALLY-MANAGED; ! command -v git"
)
"""Make Debian's python3 look like the official image's (`python`, `pip`, pip installs allowed)."""
STANDS_IN_FOR: Final = PYTHON_IMAGE


def recipe_digest() -> str:
    recipe = "\n".join([SUITE, *PACKAGES, *IMAGE_ENV, SHAPE])
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def local_image() -> str:
    return f"localhost/careervp-rehearsal/python:3.13-{SUITE}-{recipe_digest()}"


def ensure_base_image(log: Callable[[str], None] = print) -> str:
    """The local stand-in image, built on first use (about a minute) and reused after. Processes that need
    it at once (parallel test workers, two rehearsals) wait for one build instead of racing on its tags."""
    reference = local_image()
    if image_exists(reference):
        return reference
    lock = Path(tempfile.gettempdir()) / f"careervp-rehearsal-image-{recipe_digest()}.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        if not image_exists(reference):
            _build(reference, log)
    return reference


def _build(reference: str, log: Callable[[str], None]) -> None:
    log(f"rehearsal: building {reference} from Debian {SUITE} (once per recipe)")
    with tempfile.TemporaryDirectory(prefix="careervp-rootfs-") as scratch:
        rootfs = Path(scratch) / "rootfs.tar"
        done = subprocess.run(
            [
                *("mmdebstrap", "--quiet", "--variant=minbase", f"--include={','.join(PACKAGES)}"),
                *(SUITE, str(rootfs)),
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
        if done.returncode != 0:
            raise RehearsalUnavailable(
                f"could not build the base image: mmdebstrap exited {done.returncode}: "
                f"{done.stderr.strip()[-800:]}"
            )
        changes = [f"--change=ENV={value}" for value in IMAGE_ENV]
        imported = f"{reference}-imported"
        podman("import", *changes, '--change=CMD=["python3"]', str(rootfs), imported)
    shaper = podman("create", *run_flags(), imported, "sh", "-c", SHAPE).strip()
    try:
        podman("start", "--attach", shaper)
        podman("commit", "--quiet", "--change=WORKDIR=/", shaper, reference)
    finally:
        podman("rm", "--force", shaper)
        podman("rmi", imported)
