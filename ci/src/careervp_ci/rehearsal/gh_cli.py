"""The `gh` command of a rehearsal: only `gh attestation verify`, checked against the attestations that the
attest-build-provenance stand-in recorded earlier in the same rehearsal ($CAREERVP_REHEARSAL_ATTESTATIONS)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:2] != ["attestation", "verify"]:
        print(
            f"rehearsal gh: only `gh attestation verify` is rehearsed, not `gh {' '.join(words)}`",
            file=sys.stderr,
        )
        return 2
    parser = argparse.ArgumentParser(prog="gh attestation verify")
    parser.add_argument("file")
    parser.add_argument("--repo", required=True)
    parser.add_argument("--signer-workflow", required=True)
    parser.add_argument("--source-ref", required=True)
    parser.add_argument("--deny-self-hosted-runners", action="store_true")
    options = parser.parse_args(words[2:])
    subject = Path(options.file)
    if not subject.is_file():
        print(f"Error: {subject} does not exist", file=sys.stderr)
        return 1
    digest = hashlib.sha256(subject.read_bytes()).hexdigest()
    workflow = Path(options.signer_workflow).stem
    recorded = Path(os.environ["CAREERVP_REHEARSAL_ATTESTATIONS"])
    lines = recorded.read_text(encoding="utf-8").splitlines() if recorded.is_file() else []
    for record in map(json.loads, lines):
        if record == {"sha256": digest, "workflow": workflow, "ref": options.source_ref}:
            print(f"Loaded 1 attestation: sha256:{digest} signed by {workflow} on {options.source_ref}")
            return 0
    print(
        f"Error: no attestation of sha256:{digest} by {workflow} on {options.source_ref} "
        f"(recorded: {len(lines)})",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
