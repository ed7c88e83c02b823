"""The templates as `synth`'s scanners read them: the assembly's templates, the Lambda code's hashes pinned.

A backend edit changes the code asset's hash, and a template carries it in each function's `S3Key` and in
each Lambda version's logical id (CDK's `currentVersion` hashes the function, its code included). Copies
with those hashes replaced by numbered ones of the same length and alphabet keep every line where it was and
stay byte-identical across backend edits, so `synth` can keep a passed scan of them (`scan_memo`). The
scanners see only the hash values differently, and no cfn-lint rule or checkov check judges those.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

ASSET_HASH = re.compile(r"[0-9a-f]{64}")
"""How the CDK names a file asset: the SHA-256 of its content (the assets manifest's key)."""
VERSION_ID = re.compile(r"^(?P<stem>\w*[0-9A-F]{8})(?P<hash>[0-9a-f]{32})$")
"""A `currentVersion` logical id: the construct path's id, then 32 hex digits of the function's hash."""
VERSION_TYPE = "AWS::Lambda::Version"


def write(assembly: Path, into: Path) -> list[Path]:
    """Pinned copies of every template under `assembly`, at the same relative paths under `into` (emptied
    first); returns the copies."""
    shutil.rmtree(into, ignore_errors=True)
    code = code_hashes(assembly)
    copies = []
    for template in sorted(assembly.rglob("*.template.json")):
        copy = into / template.relative_to(assembly)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(pinned(template.read_text(encoding="utf-8"), code), encoding="utf-8")
        copies.append(copy)
    return copies


def code_hashes(assembly: Path) -> set[str]:
    """The hashes of the assembly's file assets, except its templates' own (the assets manifests' keys)."""
    hashes: set[str] = set()
    for manifest in assembly.rglob("*.assets.json"):
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
        hashes |= {key for key, asset in files.items() if not asset["source"]["path"].endswith(".json")}
    return hashes


def pinned(text: str, code: set[str]) -> str:
    """`text` with each code asset's hash and each Lambda version's hash numbered in order of appearance."""
    replacements: dict[str, str] = {}
    for found in ASSET_HASH.findall(text):
        if found in code and found not in replacements:
            replacements[found] = f"{len(replacements):064x}"
    resources = json.loads(text).get("Resources", {})
    versions = [logical_id for logical_id, body in resources.items() if body.get("Type") == VERSION_TYPE]
    for index, logical_id in enumerate(versions):
        if match := VERSION_ID.match(logical_id):
            replacements[logical_id] = f"{match['stem']}{index:032x}"
    if not replacements:
        return text
    longest_first = sorted(replacements, key=len, reverse=True)
    return re.sub("|".join(map(re.escape, longest_first)), lambda found: replacements[found[0]], text)
