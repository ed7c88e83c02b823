"""The venv's bytecode, compiled once per lock on this machine and unpacked into every fresh venv after that.

Compiling the locked packages (about 14,000 modules, most of them aws-cdk-lib's generated code) is most of
a fresh `make setup`. With SOURCE_DATE_EPOCH set, the .pyc files are checked-hash: each carries its source's
hash, which Python verifies on every import. So the files compiled for one lock are valid in any venv synced
from it, and one whose source differs is compiled again in memory, never trusted.

The archive is kept under the digest of the lock and the interpreter, its sha256 beside it. An archive that
does not hash to its sidecar is refused (said on stderr) and the venv is compiled again.

    python -m careervp_ci.host.bytecode    (in the project root, after `uv sync`; `$UV` names uv)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from careervp_ci.release.artifact import sha256_file

KEPT = 2
"""Archives kept per machine (about 360 MB each): the current lock's and the one before it."""


@dataclass(frozen=True)
class Venv:
    """A project's venv and the uv that syncs it."""

    root: Path
    uv: str

    @property
    def lib(self) -> Path:
        return self.root / ".venv" / "lib"

    def key(self) -> str:
        """The lock and the interpreter: the same two give the same .pyc bytes."""
        digest = hashlib.sha256((self.root / "uv.lock").read_bytes())
        digest.update(f"\0{sys.version}\0{sys.implementation.cache_tag}".encode())
        return digest.hexdigest()[:32]

    def compile(self) -> None:
        """uv compiles every module of this venv's site-packages, checked-hash (this venv, whatever
        $UV_PROJECT_ENVIRONMENT names: the toolchain container sets it to its own venv)."""
        env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "UV_PROJECT_ENVIRONMENT": str(self.root / ".venv")}
        command = [self.uv, "sync", "--frozen", "--quiet", "--compile-bytecode"]
        subprocess.run(command, cwd=self.root, env=env, check=True)

    def bytecode(self) -> list[str]:
        """The venv's .pyc files, relative to the project root."""
        return sorted(
            str(Path(folder, name).relative_to(self.root))
            for folder, _, names in os.walk(self.lib)
            for name in names
            if name.endswith(".pyc")
        )


def restore(venv: Venv, archive: Path) -> bool:
    """Unpack the kept archive into the venv if it hashes to its sidecar."""
    sidecar = archive.with_suffix(".sha256")
    if not (archive.is_file() and sidecar.is_file()):
        return False
    if sha256_file(archive) != sidecar.read_text(encoding="ascii").strip():
        print(f"venv bytecode: {archive} does not hash to {sidecar.name}; compiling instead", file=sys.stderr)
        return False
    subprocess.run(["tar", "-xf", str(archive)], cwd=venv.root, check=True)
    return True


def keep(venv: Venv, archive: Path) -> None:
    """Archive the venv's .pyc files beside their sha256, then drop all but the newest KEPT archives."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    listing = "\0".join(venv.bytecode()).encode()
    with tempfile.TemporaryDirectory(dir=archive.parent) as scratch:
        staged = Path(scratch, archive.name)
        subprocess.run(
            ["tar", "--null", "-cf", str(staged), "-T", "-"], cwd=venv.root, input=listing, check=True
        )
        staged.with_suffix(".sha256").write_text(sha256_file(staged) + "\n", encoding="ascii")
        staged.with_suffix(".sha256").replace(archive.with_suffix(".sha256"))
        staged.replace(archive)
    for old in sorted(archive.parent.glob("*.tar"), key=lambda path: path.stat().st_mtime)[:-KEPT]:
        old.unlink()
        old.with_suffix(".sha256").unlink(missing_ok=True)


def cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "careervp" / "bytecode"


def ensure(venv: Venv, cache: Path) -> str:
    """The venv holds its bytecode afterwards; says whether it came from the archive or was compiled."""
    archive = cache / f"{venv.key()}.tar"
    if restore(venv, archive):
        return "unpacked"
    venv.compile()
    keep(venv, archive)
    return "compiled"


def main() -> None:
    venv = Venv(Path.cwd(), os.environ.get("UV") or "uv")
    print(f"venv bytecode: {ensure(venv, cache_folder())}")


if __name__ == "__main__":
    main()
