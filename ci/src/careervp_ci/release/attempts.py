"""A deploy or destroy attempt in the ledger: its records (started, then one ending), an attempt a dead
process left open closed as interrupted, the failure evidence it leaves, and the way back a failure names."""

from __future__ import annotations

import shutil
from pathlib import Path

from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.errors import doing
from careervp_ci.release.ledger import Entry, LedgerError, Outcome, now
from careervp_ci.release.locking import Lock
from careervp_ci.release.scratch import host
from careervp_ci.release.store import StoreError
from careervp_ci.release.targets import Target


def record(release: ReleaseContext, target: Target, entry: Entry) -> None:
    with doing(f"could not write the ledger of {target.name}", LedgerError, StoreError):
        release.ledger.record(entry)


def end(release: ReleaseContext, attempt: Entry, outcome: Outcome, detail: str, evidence: str = "") -> None:
    """The attempt's one ending record (the note it started with is kept)."""
    text = "; ".join(part for part in (attempt.detail, detail) if part)
    ending = Entry(**{**attempt.__dict__, "time": now(), "outcome": outcome, "detail": text})
    release.ledger.record(Entry(**{**ending.__dict__, "evidence": evidence}))


def close_interrupted(release: ReleaseContext, target: Target, lock: Lock) -> None:
    """Record the dead holder's attempt as interrupted (its process can no longer do it)."""
    old = lock.taken_over
    if not old or not old.get("run"):
        return
    started = release.ledger.open_attempt(target.name, str(old["run"]))
    if started is not None:
        record(
            release,
            target,
            Entry(
                **{
                    **started.__dict__,
                    "time": now(),
                    "outcome": "interrupted",
                    "detail": f"its process died (pid {old.get('pid')} on {old.get('host')}); "
                    f"the lock was taken over by run {lock.record['run']}",
                    "host": host(),
                }
            ),
        )


def save_evidence(release: ReleaseContext, attempt: Entry, bundle: Path, files: dict[str, str]) -> str:
    """Save what explains a failure: locally (`<state>/reports/<env>/<run>/`, for the Dagger function
    to return) and in the store under the run's record (`runs/<env>/<run>/`). Returns the store's
    location. The assembly is saved without its code assets (they are in the artifact, by digest)."""
    report = release.state.reports / attempt.env / attempt.run
    report.mkdir(parents=True, exist_ok=True)
    for name, text in {**files, "log.txt": "\n".join(release.lines) + "\n"}.items():
        (report / name).write_text(text, encoding="utf-8")
    shutil.copytree(
        bundle / "assembly",
        report / "assembly",
        ignore=shutil.ignore_patterns("asset.*"),
        dirs_exist_ok=True,
    )
    prefix = f"runs/{attempt.env}/{attempt.run}"
    backend = release.store.backend
    try:
        for path in sorted(report.rglob("*")):
            if path.is_file():
                backend.upload(f"{prefix}/{path.relative_to(report).as_posix()}", path)
    except StoreError as error:
        release.log(f"could not copy the evidence into the store ({error}); it is in {report}")
        return str(report)
    release.log(f"failure evidence: {backend.where(prefix)} (and {report})")
    return backend.where(prefix)


def way_back(release: ReleaseContext, target: Target, what: str) -> str:
    """`what` went wrong, and the command that redeploys the target's last good digest (if any)."""
    good = release.ledger.last_good(target.name)
    if good is None:
        return f"{what}\n{target.name} has no earlier good deploy in the ledger to go back to."
    return (
        f"{what}\nThe last good deploy of {target.name} is {good.digest} "
        f"(commit {good.commit[:12]}, {good.time}); "
        f"to go back to it: careervp-ci deploy --env {target.name} --artifact {good.digest}"
    )
