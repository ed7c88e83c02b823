"""Loaded at start-up by every Python process a recorded test starts (this folder is on its PYTHONPATH):
records what the process reads (`careervp_ci.pipeline.changes.reads_hook`), loaded by path so the process
needs nothing of the pipeline's packages."""

# ruff: noqa: PTH118, PTH120
# os.path, not pathlib: this runs in every Python process a recorded test starts, before its own code.

import importlib.util
import os.path

_spec = importlib.util.spec_from_file_location(
    "_careervp_reads_hook", os.path.join(os.path.dirname(os.path.dirname(__file__)), "reads_hook.py")
)
if _spec is not None and _spec.loader is not None:
    _hook = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_hook)
    _hook.install_child()
