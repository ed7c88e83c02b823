"""The `dagger` command of a rehearsal: `dagger call ...` run by the rehearsal engine.

The workflow rehearsal puts this first on PATH as `dagger`, so a workflow's `run:` lines execute unchanged.
Each call appends one record to the report named by $CAREERVP_REHEARSAL_REPORT (JSON lines), with the workflow
and job from $CAREERVP_REHEARSAL_WORKFLOW / $CAREERVP_REHEARSAL_JOB.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import anyio

from careervp_ci.dagger_module.result_store import steps_from_store
from careervp_ci.rehearsal import image, runtime
from careervp_ci.rehearsal.call import Call, CallError, module_root, parse, run
from careervp_ci.rehearsal.podman import PodmanError, RehearsalUnavailable, require_tools
from careervp_ci.rehearsal.resolver import Engine, rehearsing
from careervp_ci.rehearsal.values import RehearsalGap

CACHE_ENV = "CAREERVP_REHEARSAL_CACHE"
REPORT_ENV = "CAREERVP_REHEARSAL_REPORT"
RUNTIME_ENV = "CAREERVP_REHEARSAL_CONTAINER_ENV"
"""JSON object of variables every container gets at run time, outside cache keys (what this machine lacks)."""
RELEASE_ENV = "CAREERVP_REHEARSAL_RELEASE_ENV"
"""JSON object of variables only the containers of side-effect functions get (the emulator's address and
targets): on GitHub the gates see no AWS at all, and here they must not see the stand-in either."""
MOUNTS_ENV = "CAREERVP_REHEARSAL_CONTAINER_MOUNTS"
"""JSON object host file -> container path, mounted read-only into side-effect functions' containers."""
STORE_MOUNT_ENV = "CAREERVP_REHEARSAL_RESULT_STORE_MOUNT"
"""JSON object host folder -> container path: the result store, mounted read-write into every container (the
folder a `--result-store` of that path names inside the jobs)."""


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "careervp-rehearsal"
    return Path(configured) if configured else default


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _record(words: Sequence[str], engine: Engine, code: int, seconds: float, said: str) -> None:
    """Append the call's record; `said` is what it printed (its output, or its error), where `ci`'s summary
    names the steps it took from the result store."""
    report = os.environ.get(REPORT_ENV)
    if not report:
        return
    entry = {
        "workflow": os.environ.get("CAREERVP_REHEARSAL_WORKFLOW", ""),
        "job": os.environ.get("CAREERVP_REHEARSAL_JOB", ""),
        "call": shlex.join(["dagger", *words]),
        "containers": engine.containers,
        "toolchain": engine.toolchain,
        "image": f"{image.local_image()} (stands in for {image.STANDS_IN_FOR})",
        "exit": code,
        "seconds": round(seconds, 1),
        "steps_from_store": steps_from_store(said),
    }
    with Path(report).open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(entry) + "\n")


MODULE_ENV = "CAREERVP_REHEARSAL_MODULE"


def _from_module_source(words: Sequence[str]) -> None:
    """Re-run this command as the engine runs the module: its code from the repository being rehearsed
    (the tree that holds dagger.json, not whatever is installed), with the packages `ci/uv.lock` installs
    without dev dependencies and nothing else (runtime.module_python)."""
    root = module_root(Path.cwd())
    source = root / "ci" / "src"
    if os.environ.get(MODULE_ENV) == str(source):
        return
    python = str(runtime.module_python(root, cache_dir()))
    env = {**os.environ, MODULE_ENV: str(source), "PYTHONPATH": str(source)}
    os.execve(python, [python, "-m", "careervp_ci.rehearsal.dagger_cli", *words], env)  # noqa: S606


def _engine(*, side_effects: bool) -> Engine:
    runtime = json.loads(os.environ.get(RUNTIME_ENV, "{}"))
    if side_effects:
        runtime |= json.loads(os.environ.get(RELEASE_ENV, "{}"))
    mounts = json.loads(os.environ.get(MOUNTS_ENV, "{}")) if side_effects else {}
    store = json.loads(os.environ.get(STORE_MOUNT_ENV, "{}"))
    return Engine(cache_dir(), runtime_env=runtime, runtime_mounts=mounts, log=_log, writable_mounts=store)


async def _installed_then_run(call: Call, cwd: Path) -> str:
    """As the engine does before a function runs: the module installed in the runtime's container (once
    per lock and module source; the engine's layer cache reuses it), then the call."""
    await runtime.installed_in_container(module_root(cwd)).sync()
    return await run(call, cwd)


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if argv is None:
        try:
            _from_module_source(words)
        except (CallError, runtime.ModuleInstallFailed) as error:
            print(f"Error: {error}", file=sys.stderr)
            return 1
        except RehearsalUnavailable as error:
            print(f"Error: {error}", file=sys.stderr)
            return 2
    if not words or words[0] != "call":
        print("rehearsal dagger: only `dagger call ...` is rehearsed", file=sys.stderr)
        return 2
    started = time.monotonic()
    code = 1
    said = ""
    engine = _engine(side_effects=False)
    try:
        require_tools()
        call = parse(words[1:])
        if call.side_effects:
            engine = _engine(side_effects=True)
        with rehearsing(engine):
            output = anyio.run(_installed_then_run, call, Path.cwd())
        if output:
            print(output)
        code, said = 0, output
    except RehearsalUnavailable as error:
        print(f"Error: {error}", file=sys.stderr)
        code = 2
    except (CallError, RehearsalGap, PodmanError) as error:
        print(f"Error: {error}", file=sys.stderr)
    except Exception as error:  # a function's own error: the CLI prints it and exits 1
        print(f"Error: {type(error).__name__}: {error}", file=sys.stderr)
        said = str(error)
    _record(words, engine, code, time.monotonic() - started, said)
    return code


if __name__ == "__main__":
    sys.exit(main())
