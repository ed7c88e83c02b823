"""dorny/paths-filter and actions/labeler: the pull request's changed files, matched by the library each
action uses (picomatch with `dot: true`; minimatch with the `dot` input), with each action's own rules around
it (paths-filter src/filter.ts, src/main.ts; labeler src/changedFiles.ts, src/api/get-label-configs.ts)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs

from careervp_ci.rehearsal import matchers
from careervp_ci.rehearsal.context import Job, Run, StepFailed, warn
from careervp_ci.rehearsal.facts import Action

QUANTIFIERS = ("some", "every")
LIST_FORMATS = ("none", "csv", "json", "shell", "escape")
LABELER_FILE_RULES = (
    "any-glob-to-any-file",
    "any-glob-to-all-files",
    "all-globs-to-any-file",
    "all-globs-to-all-files",
)
LABELER_KEYS = ("changed-files", "head-branch", "base-branch")


def changed(run: Run) -> list[str]:
    """The pull request's files as the API lists them: against the merge base, a rename as both names."""
    return subprocess.run(
        ["git", "-C", str(run.repo), "diff", "--name-only", "--no-renames", f"{run.base_sha}...{run.sha}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def paths_filter(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    quantifier = inputs["predicate-quantifier"] or "some"
    if quantifier not in QUANTIFIERS:
        raise StepFailed(
            f"paths-filter: predicate-quantifier {quantifier!r} is invalid; "
            f"valid values: {', '.join(QUANTIFIERS)}"
        )
    if (inputs["list-files"].lower() or "none") not in LIST_FORMATS:
        raise StepFailed(
            f"paths-filter: list-files {inputs['list-files']!r} is none of {', '.join(LIST_FORMATS)}"
        )
    text = inputs["filters"]
    if "\n" not in text and ":" not in text:
        raise StepFailed("paths-filter: filters from a file are not rehearsed; give them inline")
    if not inputs["token"]:
        raise StepFailed(
            "paths-filter: without a token the action diffs with git; only the API path is rehearsed"
        )
    if not job.grants("pull-requests", "read"):
        raise StepFailed("paths-filter lists the pull request's files: the job needs `pull-requests: read`")
    rules = {name: _rules(name, item) for name, item in (yaml.safe_load(text) or {}).items()}
    files = changed(run)
    patterns = sorted({pattern for items in rules.values() for pattern in items})
    table = dict(zip(patterns, matchers.matches("picomatch", patterns, files, {"dot": True}), strict=True))
    matched = []
    for name, items in rules.items():
        combine = all if quantifier == "every" else any
        count = sum(1 for index in range(len(files)) if combine(table[p][index] for p in items))
        job.outputs[name] = "true" if count else "false"
        job.outputs[f"{name}_count"] = str(count)
        if count:
            matched.append(name)
    if "changes" not in rules:
        job.outputs["changes"] = json.dumps(matched)


def _rules(name: str, item: Any) -> list[str]:
    """A filter's patterns; a change-status condition (`added: ...`) is not rehearsed."""
    if isinstance(item, list):
        return [pattern for entry in item for pattern in _rules(name, entry)]
    if isinstance(item, str):
        return [item]
    raise StepFailed(
        f"paths-filter filter {name!r}: {item!r} is not rehearsed (only patterns and lists of them)"
    )


def labeler(run: Run, job: Job, action: Action, inputs: Mapping[str, str]) -> None:
    """The labels the action would set, from the configuration at the commit and the pull request's diff."""
    action.boolean(
        inputs, "sync-labels"
    )  # read as the action reads it; a rehearsed pull request has no labels
    dot = action.boolean(inputs, "dot")
    if not job.grants("pull-requests", "write"):
        raise StepFailed("labeler needs `permissions: pull-requests: write`")
    if inputs["pr-number"]:
        raise StepFailed("labeler: pr-number is not rehearsed (the event's pull request is)")
    path = inputs["configuration-path"]
    shown = subprocess.run(
        ["git", "-C", str(run.repo), "show", f"{run.sha}:{path}"], capture_output=True, text=True, check=False
    )
    if shown.returncode != 0:
        raise StepFailed(f"labeler: no {path} at {run.sha[:12]}")
    files = changed(run)
    labels = []
    for label, entries in (yaml.safe_load(shown.stdout) or {}).items():
        globs = _label_globs(label, entries)
        if not globs:
            continue
        if any(any(row) for row in matchers.matches("minimatch", globs, files, {"dot": dot})):
            labels.append(label)
    job.outputs["new-labels"] = ",".join(labels)
    job.outputs["all-labels"] = job.outputs["new-labels"]


def _label_globs(label: str, entries: Any) -> list[str]:
    """The any-glob-to-any-file globs of a label. As the action: a key it does not know is ignored, an unknown
    rule under changed-files fails; the rules no workflow uses here are not rehearsed."""
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise StepFailed(
            f"labeler: found unexpected type for label {label!r} (should be array of config options)"
        )
    globs: list[str] = []
    for entry in entries:
        for key, value in entry.items():
            if key not in (*LABELER_KEYS, "any", "all"):
                warn("labeler", f"An unknown config option was under {label}: {key}")
                continue
            if key != "changed-files":
                raise StepFailed(f"labeler rule {label!r}: {key} is not rehearsed")
            for rule in value if isinstance(value, list) else [value]:
                unknown = sorted(set(rule) - set(LABELER_FILE_RULES))
                if unknown:
                    raise StepFailed(
                        f'labeler: Unknown config options were under "changed-files": {", ".join(unknown)}'
                    )
                if set(rule) != {"any-glob-to-any-file"}:
                    raise StepFailed(f"labeler rule {label!r}: only any-glob-to-any-file is rehearsed")
                patterns = rule["any-glob-to-any-file"]
                globs.extend([patterns] if isinstance(patterns, str) else patterns)
    return globs
