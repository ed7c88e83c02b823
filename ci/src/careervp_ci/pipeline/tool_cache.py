"""Incremental caches for the tools steps run (mypy, ruff), kept under the result cache by content key.

The key is what makes a tool's cache mean something: the tool's pinned version, the interpreter, and the
bytes of the files that configure it (for mypy also uv.lock, which pins every stub it analyses). A different
key is a different, empty folder, so a cache is never trusted across different tools or settings; within
one key the tools check each source's own hash before reusing anything. `--no-cache` keeps no state at all.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from careervp_ci.pipeline.lockfiles import locked_versions
from careervp_ci.pipeline.steps.context import StepContext


def tool_cache_dir(ctx: StepContext, tool: str, config_files: tuple[str, ...]) -> Path | None:
    """`<state>/tools/<tool>-<key>` for this tool version and configuration; None with `--no-cache`."""
    if ctx.state_dir is None:
        return None
    material = hashlib.sha256(
        f"{tool} {locked_versions(ctx.src).get(tool, 'unlocked')} {sys.version}".encode()
    )
    for name in config_files:
        path = ctx.src / name
        material.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"absent"))
    return ctx.state_dir / "tools" / f"{tool}-{material.hexdigest()[:16]}"
