"""Which steps of a profile a Dagger job can take from a result store, and which of them read a file."""

from __future__ import annotations

from pathlib import Path

from careervp_ci.dagger_module.plan import request_jobs
from careervp_ci.host.cache import input_files
from careervp_ci.pipeline.resolve import Request
from careervp_ci.pipeline.steps.catalogue import CATALOGUE


def storable(profile: str = "pr") -> set[str]:
    """The profile's steps a job can take from the store: cacheable, and fed by no other job's folders (a
    step handed what another job left has no key for it: `host.executor`)."""
    jobs = request_jobs(Request(profile)).jobs
    return {job.step for job in jobs if CATALOGUE[job.step].cacheable and not job.given}


def reading(root: Path, path: str, steps: set[str]) -> set[str]:
    """Those of `steps` whose inputs include `path`: the ones a change to it runs again."""
    return {step for step in steps if path in input_files(root, CATALOGUE[step].inputs)}
