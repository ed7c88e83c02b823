"""`ledger`: show the release history kept in the store (every attempt, and the store's own events)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict

from careervp_ci.release.commands.options import Subparsers, add_store
from careervp_ci.release.context import ReleaseContext


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("ledger", help="show the release history kept in the store")
    parser.add_argument("--env")
    add_store(parser)
    parser.add_argument("--json", action="store_true", help="print the records as JSON")


def main(release: ReleaseContext, args: argparse.Namespace) -> None:
    show_ledger(release, args.env, args.json)


def show_ledger(release: ReleaseContext, env: str | None, as_json: bool) -> None:
    entries = release.ledger.entries(env)
    events = release.store.events()
    if as_json:
        document = {
            "store": release.store.uri,
            "entries": [asdict(e) for e in entries],
            "store_events": events,
        }
        print(json.dumps(document, indent=2))
        return
    for entry in entries:
        extras = [f"run {entry.run}"] if entry.run else []
        extras += [f"{entry.road} by {entry.by}"] if entry.road in ("rollback", "hotfix") else []
        extras += [f"ref {entry.ref}"] if entry.ref else []
        extras += [f"approved by {entry.approved_by}"] if entry.approved_by else []
        extras += [entry.detail] if entry.detail else []
        extras += [f"evidence {entry.evidence}"] if entry.evidence else []
        print(
            f"{entry.time}  {entry.env:<10} {entry.target:<8} {entry.digest}  {entry.commit[:12]}  "
            f"{entry.outcome}  {'; '.join(extras)}".rstrip()
        )
    for event in events:
        print(f"{event['time']}  store      {event['event']}: {event['key']} ({event['detail']})")
