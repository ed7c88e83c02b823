"""The release ledger: what happened to each environment, one store object per event, never rewritten.

`ledger/<env>/<seq:08d>.json` in the artifact store, so every runner that shares the store shares the
history. A record is created with the store's conditional write, so two writers never get the same
sequence number (the loser takes the next one). Each record carries `seal` (the sha256 of its own
content) and `previous` (the sha256 of the record before it): an edited record no longer matches its
seal, and a replaced or removed one breaks the chain, so reading the ledger names the record that was
changed instead of trusting it. (This detects edits; it is not a signature against someone who may
rewrite the whole bucket: that is what bucket versioning and object lock are for.)

A deploy writes `started` once it holds the lock and has the artifact, then exactly one outcome; an
attempt whose process died is closed by the next command with `interrupted`. Refusals (bad digest,
missing secret, busy environment, missing approval) write nothing: nothing happened to the environment.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any, Literal

from careervp_ci.errors import CareervpError
from careervp_ci.release.store import Backend

Outcome = Literal[
    "started",
    "succeeded",
    "deploy-failed",
    "verify-failed",
    "smoke-failed",
    "interrupted",
    "destroyed",
]
ENDINGS = frozenset({"succeeded", "deploy-failed", "verify-failed", "smoke-failed", "interrupted"})
PREFIX = "ledger"
_ATTEMPTS = 50


class LedgerError(CareervpError):
    """A ledger record was changed after it was written, or cannot be read; the message names it."""


@dataclass(frozen=True)
class Entry:
    env: str
    digest: str
    commit: str
    time: str
    outcome: Outcome
    target: str
    """`aws` or `emulator`: where the deploy really went."""
    detail: str = ""
    run: str = ""
    """The attempt this event belongs to (`started` and its ending share it)."""
    ref: str = ""
    """The git ref label the artifact was released from (a tag, main, a hotfix branch), when known."""
    approved_by: str = ""
    evidence: str = ""
    """Where the failure evidence is in the store (failed deploys)."""
    host: str = ""
    road: str = ""
    """How the digest came: deploy (and promote), hotfix or rollback ('' in records older than roads)."""
    by: str = ""
    """Who ran it (`operator`)."""

    @property
    def succeeded(self) -> bool:
        return self.outcome == "succeeded"


def operator() -> str:
    """Who runs this command: $GITHUB_ACTOR in GitHub Actions, else the local user."""
    return os.environ.get("GITHUB_ACTOR") or getpass.getuser()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _seal(body: dict[str, Any]) -> str:
    return _sha(json.dumps(body, sort_keys=True).encode())


class Ledger:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def _keys(self, env: str) -> list[str]:
        return [key for key in self.backend.keys(f"{PREFIX}/{env}") if key.endswith(".json")]

    def record(self, entry: Entry) -> str:
        """Append `entry` to its environment's ledger; returns the record's key."""
        for _ in range(_ATTEMPTS):
            keys = self._keys(entry.env)
            previous = self.backend.read(keys[-1]) if keys else None
            sequence = int(keys[-1].rsplit("/", 1)[1].split(".")[0]) + 1 if keys else 1
            body = {**asdict(entry), "previous": _sha(previous) if previous is not None else ""}
            data = (json.dumps({**body, "seal": _seal(body)}, indent=2, sort_keys=True) + "\n").encode()
            key = f"{PREFIX}/{entry.env}/{sequence:08d}.json"
            if self.backend.create(key, data):
                return key
        raise LedgerError(
            f"could not append to the ledger of {entry.env} in {self.backend.uri} after {_ATTEMPTS} "
            "attempts (other writers kept taking the next record); run the command again"
        )

    def _read(self, env: str) -> list[Entry]:
        entries: list[Entry] = []
        previous: bytes | None = None
        known = {field.name for field in fields(Entry)}
        for key in self._keys(env):
            data = self.backend.read(key)
            if data is None:
                raise LedgerError(f"ledger record {self.backend.where(key)} vanished while being read")
            where = self.backend.where(key)
            try:
                record = json.loads(data)
                body = {name: value for name, value in record.items() if name != "seal"}
                entry = Entry(**{name: value for name, value in body.items() if name in known})
            except (ValueError, TypeError) as error:
                raise LedgerError(f"ledger record {where} is not a ledger record ({error})") from None
            if record.get("seal") != _seal(body):
                raise LedgerError(
                    f"ledger record {where} was changed after it was written (its content no longer matches "
                    "its seal); the ledger is not trusted: restore the record from the bucket's history "
                    "or ask who edited it"
                )
            expected = _sha(previous) if previous is not None else ""
            if record.get("previous") != expected:
                raise LedgerError(
                    f"ledger record {where} does not follow the record before it (it cites sha256 "
                    f"{record.get('previous') or 'none'}, the record before it hashes to "
                    f"{expected or 'none'}): an earlier record was changed, replaced or removed; "
                    "the ledger is not trusted"
                )
            entries.append(entry)
            previous = data
        return entries

    def environments(self) -> list[str]:
        return sorted({key.split("/")[1] for key in self.backend.keys(PREFIX) if key.count("/") == 2})

    def entries(self, env: str | None = None) -> list[Entry]:
        """Entries for `env` (or every environment, by time), oldest first; LedgerError if tampered."""
        if env is not None:
            return self._read(env)
        every = [entry for name in self.environments() for entry in self._read(name)]
        return sorted(every, key=lambda entry: entry.time)

    def last_good(self, env: str) -> Entry | None:
        """The latest deploy of `env` that passed verify and smoke."""
        good = [entry for entry in self.entries(env) if entry.succeeded]
        return good[-1] if good else None

    def current(self, env: str) -> Entry | None:
        """What `env` is running now per the ledger: the last successful deploy, unless destroyed since."""
        for entry in reversed(self.entries(env)):
            if entry.outcome in ("succeeded", "destroyed"):
                return entry if entry.succeeded else None
        return None

    def open_attempt(self, env: str, run: str) -> Entry | None:
        """The `started` record of `run` in `env` if that attempt has no ending yet."""
        entries = self.entries(env)
        ended = {entry.run for entry in entries if entry.outcome in ENDINGS}
        started = [entry for entry in entries if entry.run == run and entry.outcome == "started"]
        return started[-1] if started and run not in ended else None
