"""The release artifact's format: a canonical tar whose sha256 is the artifact's identity.

Canonical means the same folder always gives the same bytes: entries sorted by path, mtime 0, uid/gid 0 with
no owner names, fixed modes (0644 files, 0755 directories and executables), GNU headers (long names without
pax timestamps), no compression. A digest is `sha256:<64 lowercase hex>`; `parse_digest` refuses anything
else before any work starts. `MANIFEST` inside the tar lists every other file's sha256, so an unpacked
bundle can be re-checked file by file.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import tarfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from careervp_ci.errors import CareervpError, UsageError

MANIFEST = "manifest.json"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_CHUNK = 1 << 20


class ArtifactError(CareervpError):
    """The artifact is missing from the store, tampered with, or cannot be read (exit 1); the message says
    which and what to do."""


class ArtifactInputError(ArtifactError, UsageError):
    """What names or makes an artifact is malformed: a digest, a store URI, a tree to pack (exit 2)."""


@dataclass(frozen=True)
class Digest:
    """A validated `sha256:<hex>` artifact identity."""

    value: str

    @property
    def hex(self) -> str:
        return self.value.removeprefix("sha256:")

    @property
    def short(self) -> str:
        return f"sha256:{self.hex[:12]}"

    def __str__(self) -> str:
        return self.value


def parse_digest(text: str) -> Digest:
    """`text` as a Digest, or an ArtifactInputError naming the bad value and the expected shape."""
    candidate = text.strip()
    if not _DIGEST.match(candidate):
        raise ArtifactInputError(
            f"malformed artifact digest {text!r}: expected 'sha256:' followed by 64 lowercase hex digits "
            "(the value `careervp-ci build` prints)"
        )
    return Digest(candidate)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def digest_of(path: Path) -> Digest:
    """The digest of an artifact file (its bytes)."""
    return Digest(f"sha256:{sha256_file(path)}")


def _entries(root: Path) -> Iterator[Path]:
    """Every file and directory under `root`, sorted by POSIX path; symlinks and specials are refused."""
    for path in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ArtifactInputError(
                f"{path}: only regular files and folders can go in an artifact (found a link)"
            )
        yield path


def _info(path: Path, name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if path.is_dir():
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.size = path.stat().st_size
        info.mode = 0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644
    return info


def write_canonical_tar(root: Path, dest: Path) -> Digest:
    """Pack `root` into `dest` canonically and return the tar's digest."""
    with tarfile.open(dest, "w", format=tarfile.GNU_FORMAT) as tar:
        for path in _entries(root):
            info = _info(path, path.relative_to(root).as_posix())
            if info.isdir():
                tar.addfile(info)
            else:
                with path.open("rb") as stream:
                    tar.addfile(info, stream)
    return digest_of(dest)


def _member_path(tar_path: Path, member: tarfile.TarInfo) -> PurePosixPath:
    """The member's relative path; anything that is not a plain file or folder, or would land outside
    the destination, is refused."""
    name = PurePosixPath(member.name)
    if not (member.isfile() or member.isdir()):
        raise ArtifactError(f"{tar_path}: entry {member.name!r} is not a file or folder; refusing it")
    if name.is_absolute() or ".." in name.parts or not name.parts:
        raise ArtifactError(f"{tar_path}: entry {member.name!r} would land outside the bundle; refusing it")
    return name


def unpack(tar_path: Path, dest: Path, keep: Callable[[str], bool] = lambda _name: True) -> dict[str, Any]:
    """Extract an artifact into `dest` and check every file against its manifest; returns the manifest.

    One pass: each file is hashed as it streams out of the tar (not read back from disk), and a file
    `keep` declines (by POSIX path) is hashed and checked but never written, so a command that reads
    only the templates does not create the Lambda package's thousands of files."""
    dest.mkdir(parents=True, exist_ok=True)
    made: set[Path] = {dest}
    actual: dict[str, str] = {}
    with tarfile.open(tar_path, "r:") as tar:
        for member in tar:
            name = _member_path(tar_path, member).as_posix()
            target = dest / name if name == MANIFEST or keep(name) else None
            if member.isfile():
                actual[name] = _extract_file(tar, member, target, made)
            elif target is not None:
                target.mkdir(parents=True, exist_ok=True)
                made.add(target)
    manifest = read_manifest(dest)
    actual.pop(MANIFEST, None)
    _compare(dest, manifest.get("files", {}), actual)
    return manifest


def _extract_file(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path | None, made: set[Path]) -> str:
    """The member's sha256, its bytes written to `target` (canonical mode) unless that is None."""
    digest = hashlib.sha256()
    source = tar.extractfile(member)
    if source is None:
        raise ArtifactError(f"entry {member.name!r} has no data; refusing it")
    if target is None:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    with target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    target.chmod(0o755 if member.mode & stat.S_IXUSR else 0o644)
    return digest.hexdigest()


def file_hashes(root: Path) -> dict[str, str]:
    """POSIX path -> sha256 for every file under `root` except the manifest itself."""
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in _entries(root)
        if path.is_file() and path.relative_to(root).as_posix() != MANIFEST
    }


def write_manifest(root: Path, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Write `MANIFEST` into `root`: the build facts plus each file's sha256."""
    manifest = {**facts, "files": file_hashes(root)}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    if not path.is_file():
        raise ArtifactError(f"{root}: the bundle has no {MANIFEST}; it was not made by `careervp-ci build`")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest


def _compare(root: Path, expected: Mapping[str, str], actual: Mapping[str, str]) -> None:
    """Refuse a bundle whose files differ from its manifest's list, naming the first few."""
    changed = sorted(name for name in expected.keys() & actual.keys() if expected[name] != actual[name])
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    if changed or missing or extra:
        problems = [f"changed: {', '.join(changed[:5])}"] if changed else []
        problems += [f"missing: {', '.join(missing[:5])}"] if missing else []
        problems += [f"unlisted: {', '.join(extra[:5])}"] if extra else []
        raise ArtifactError(f"{root}: the bundle does not match its manifest ({'; '.join(problems)})")
