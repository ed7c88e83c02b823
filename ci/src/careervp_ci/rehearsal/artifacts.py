"""upload-artifact and download-artifact as their code behaves at the pinned SHAs (src/shared/search.ts,
src/upload/*.ts; src/download-artifact.ts): the files `@actions/glob` finds, hidden ones skipped unless
`include-hidden-files`, the artifact's root, what no files found does, and where a download lands.

An artifact is a folder per name under the run's artifacts folder, holding its files relative to their root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from careervp_ci.rehearsal import matchers
from careervp_ci.rehearsal.context import Job, Run, StepFailed, warn
from careervp_ci.rehearsal.facts import Action

INVALID_NAME = '":<>|*?\r\n\\/'
"""Characters @actions/artifact 2.3.2 refuses in an artifact name (path-and-artifact-name-validation.js)."""
NO_FILES = ("warn", "error", "ignore")


def search_options(include_hidden: bool) -> dict[str, bool]:
    """The options upload-artifact hands @actions/glob (search.ts getDefaultGlobOptions)."""
    return {
        "followSymbolicLinks": True,
        "implicitDescendants": True,
        "omitBrokenSymbolicLinks": True,
        "excludeHiddenFiles": not include_hidden,
    }


def upload(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    name, path = inputs["name"], inputs["path"]
    include_hidden = action.boolean(inputs, "include-hidden-files")
    overwrite = action.boolean(inputs, "overwrite")
    if inputs["if-no-files-found"] not in NO_FILES:
        raise StepFailed(
            f"upload-artifact: if-no-files-found {inputs['if-no-files-found']!r} "
            f"is none of {', '.join(NO_FILES)}"
        )
    _check_numbers(inputs)
    patterns = [line for line in path.splitlines() if line.strip()]
    found = matchers.glob(job.workspace, patterns, search_options(include_hidden))
    if not found.files:
        _no_files(job, name, path, inputs["if-no-files-found"], include_hidden)
        return
    bad = [char for char in INVALID_NAME if char in name]
    if not name or bad:
        raise StepFailed(f"upload-artifact: artifact name {name!r} is empty or contains {bad!r}")
    target = run.artifacts / name
    if target.exists():
        if not overwrite:
            raise StepFailed(
                f"upload-artifact: an artifact named {name!r} already exists in this run (overwrite is false)"
            )
        shutil.rmtree(target)
    root = _root(found)
    for file in found.files:
        destination = target / file.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, destination)
    job.outputs["artifact-id"] = str(sum(1 for _ in run.artifacts.iterdir()))


def _check_numbers(inputs: Mapping[str, str]) -> None:
    for key, low, high in (("retention-days", None, None), ("compression-level", 0, 9)):
        if not inputs[key]:
            continue
        try:
            value = int(inputs[key])
        except ValueError as error:
            raise StepFailed(f"upload-artifact: {key} {inputs[key]!r} is not a number") from error
        if low is not None and high is not None and not low <= value <= high:
            raise StepFailed(f"upload-artifact: {key} {value} is outside {low}-{high}")


def _no_files(job: Job, name: str, path: str, behaviour: str, include_hidden: bool) -> None:
    """No file found: say why when the default skipped hidden files, and do what if-no-files-found says."""
    message = (
        f"no files were found with the provided path {path.strip()!r}; artifact {name!r} is not uploaded"
    )
    if not include_hidden:
        hidden = matchers.glob(job.workspace, path.splitlines(), search_options(True)).files
        if hidden:
            shown = ", ".join(str(file.relative_to(job.workspace)) for file in hidden[:3])
            message += (
                f" (include-hidden-files is false, so the hidden path skips {len(hidden)} file(s): {shown}; "
                "set `include-hidden-files: true` or upload from a folder whose name does not start with '.')"
            )
    if behaviour == "error":
        raise StepFailed(f"upload-artifact: {message}")
    if behaviour == "warn":
        warn("upload-artifact", message)


def _root(found: matchers.Found) -> Path:
    """The folder the artifact's paths are relative to (search.ts findFilesToUpload)."""
    if len(found.search_paths) > 1:
        return Path(os.path.commonpath(found.search_paths))
    if len(found.files) == 1 and found.search_paths[0] == found.files[0]:
        return found.files[0].parent
    return found.search_paths[0]


def download(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    name = inputs["name"]
    path = Path(inputs["path"]).expanduser() if inputs["path"] else Path()
    destination = path if path.is_absolute() else job.workspace / path
    merge = action.boolean(inputs, "merge-multiple")
    if name and inputs["artifact-ids"]:
        raise StepFailed("download-artifact: inputs 'name' and 'artifact-ids' cannot be used together")
    if inputs["artifact-ids"] or inputs["github-token"]:
        raise StepFailed("download-artifact: artifact-ids and github-token are not rehearsed")
    if name:
        source = run.artifacts / name
        if not source.is_dir():
            raise StepFailed(
                f"download-artifact: Artifact {name!r} not found (not uploaded earlier in this run)"
            )
        shutil.copytree(source, destination, dirs_exist_ok=True)
    elif run.artifacts.is_dir():
        sources = sorted(run.artifacts.iterdir())
        if inputs[
            "pattern"
        ]:  # the artifacts whose name minimatch matches, as src/download-artifact.ts filters
            [chosen] = matchers.matches("minimatch", [inputs["pattern"]], [s.name for s in sources], {})
            sources = [source for source, keep in zip(sources, chosen, strict=True) if keep]
        for source in sources:
            shutil.copytree(source, destination if merge else destination / source.name, dirs_exist_ok=True)
    job.outputs["download-path"] = str(destination.resolve())
