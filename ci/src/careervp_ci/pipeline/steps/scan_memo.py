"""`synth`'s kept scan: the reports of the last cfn-lint and checkov run that passed, under the digest of what
they read, so a synth whose pinned templates (`template_copies`) did not change takes them instead of scanning
again. A backend edit changes only the code's hashes, and the two scanners are two thirds of the step.

The key is everything the reports are a function of: the pinned copies' bytes and the scanners' identities
(versions, environments, arguments). An entry is checked on read (each report's SHA-256) and holds only a
pass; the step judges restored reports as it judges fresh ones and scans again unless they are a pass.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FOLDER = "synth-scan"
INDEX = "index.json"
FORMAT = "careervp-synth-scan/1"


@dataclass(frozen=True)
class ScanMemo:
    """One kept scan in `folder`, consulted under `key`."""

    folder: Path
    key: str
    reports: tuple[str, ...]

    @classmethod
    def of(
        cls,
        state_dir: Path,
        root: Path,
        copies: Sequence[Path],
        identity: Sequence[str],
        reports: Sequence[str],
    ) -> ScanMemo:
        """The memo for scanning `copies` (named relative to `root`) with scanners of `identity`."""
        digest = hashlib.sha256(FORMAT.encode())
        for part in identity:
            digest.update(b"\0" + part.encode())
        for copy in copies:
            digest.update(b"\0" + copy.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(copy.read_bytes()).hexdigest().encode())
        return cls(state_dir / FOLDER, digest.hexdigest(), tuple(reports))

    def restore(self, report_dir: Path) -> bool:
        """Copy the kept reports into `report_dir` when they were kept under this key and read back intact."""
        try:
            index = json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
            kept = {name: (self.folder / name).read_bytes() for name in self.reports}
        except (OSError, ValueError):
            return False
        if index.get("key") != self.key:
            return False
        if any(hashlib.sha256(data).hexdigest() != index["reports"].get(name) for name, data in kept.items()):
            return False
        for name, data in kept.items():
            (report_dir / name).write_bytes(data)
        return True

    def keep(self, report_dir: Path) -> None:
        """Keep the passing reports in `report_dir` under this key, replacing the entry before."""
        staging = self.folder.with_name(f"{FOLDER}.new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        digests = {}
        for name in self.reports:
            data = (report_dir / name).read_bytes()
            (staging / name).write_bytes(data)
            digests[name] = hashlib.sha256(data).hexdigest()
        index = {"key": self.key, "reports": digests}
        (staging / INDEX).write_text(json.dumps(index, indent=1), encoding="utf-8")
        shutil.rmtree(self.folder, ignore_errors=True)
        staging.rename(self.folder)
