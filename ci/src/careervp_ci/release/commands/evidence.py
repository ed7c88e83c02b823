"""`evidence`: copy a failed deploy's evidence (error, stack events, assembly, log) from the store into a
folder: what a workflow uploads when a deploy job fails, wherever the deploy ran."""

from __future__ import annotations

import argparse
from pathlib import Path

from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import ReleaseRefused
from careervp_ci.release.ledger import Entry

EVIDENCE_README = "README.txt"
"""What `evidence` writes when there is nothing to copy, so the folder a workflow uploads says why."""


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "evidence",
        help="copy a failed deploy's evidence (events, assembly, log) from the store into a folder",
    )
    parser.add_argument("--env", required=True)
    parser.add_argument("--run", help="the run whose evidence to copy (default: the latest with evidence)")
    parser.add_argument("--out", required=True, help="the folder to copy it into")
    add_store(parser)


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    print(evidence(release, args.env, args.run, Path(args.out)))


def evidence(release: ReleaseContext, env: str, run: str | None, out: Path) -> str:
    """Copy the failure evidence of `env`'s latest run (or of `run`) into `out`. A run that left none (its
    deploy succeeded and a later step failed, or it never ended) is said so in `out/README.txt` and is no
    failure: the job's verdict then names the step that broke, not this one."""
    runs = [entry for entry in release.ledger.entries(env) if entry.run]
    if run is not None and run not in {entry.run for entry in runs}:
        raise ReleaseRefused(
            f"run {run} is not in the ledger of {env} in the store {release.store.uri} "
            f"(`careervp-ci ledger --env {env}` lists the runs)"
        )
    chosen = run or (runs[-1].run if runs else "")
    last = next((entry for entry in reversed(runs) if entry.run == chosen), None)
    out.mkdir(parents=True, exist_ok=True)
    prefix = f"runs/{env}/{chosen}"
    backend = release.store.backend
    keys = backend.keys(prefix) if last is not None and last.evidence else []
    if last is None or not keys:
        note = _no_evidence(env, last, release.store.uri)
        if others := [entry.run for entry in runs if entry.evidence and entry.run != chosen]:
            note += f"; the latest run that left some: careervp-ci evidence --env {env} --run {others[-1]}"
        (out / EVIDENCE_README).write_text(note + "\n", encoding="utf-8")
        return note
    for key in keys:
        target = out / key.removeprefix(prefix + "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        backend.download(key, target)
    return f"{len(keys)} evidence files of run {chosen} ({last.outcome}, {last.time}) in {out}"


def _no_evidence(env: str, last: Entry | None, store: str) -> str:
    """Why there is no failure evidence to copy: what the ledger says of the run."""
    if last is None:
        return f"no failure evidence for {env}: the ledger in {store} records no run of {env}"
    said = f"no failure evidence for run {last.run} of {env} ({last.outcome}, {last.time})"
    if last.succeeded:
        return f"{said}: its deploy succeeded, so the step that failed after it (verify, smoke, e2e) says why"
    if last.outcome == "started":
        return f"{said}: it has not ended (still running, or its process died)"
    if last.evidence:
        return f"{said}: the ledger points to {last.evidence}, but the store {store} holds none of it"
    return f"{said}: it recorded none"
