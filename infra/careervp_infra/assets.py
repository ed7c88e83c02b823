"""The one writer of a Lambda code zip: the release build ships its package as one
(`careervp_ci.release.build`), and a folder asset (the tree's own `careervp`) is zipped by it when published.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def deterministic_zip(folder: Path) -> bytes:
    """`folder`'s files as a zip whose bytes depend on their paths and contents only: entries sorted by POSIX
    path, one fixed timestamp, fixed modes (0755 for an executable, else 0644), deflated at zlib's default
    level. A link is refused: what it points at would depend on the machine."""
    files = []
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        mode = path.lstat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise ValueError(f"{path}: only regular files and folders can go in a code zip (found a link)")
        if stat.S_ISREG(mode):
            files.append((path, 0o755 if mode & stat.S_IXUSR else 0o644))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, permissions in files:
            entry = zipfile.ZipInfo(path.relative_to(folder).as_posix(), ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (permissions | stat.S_IFREG) << 16
            archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()
