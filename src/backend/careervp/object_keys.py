"""S3 object keys CareerVP writes: `<component>/<kind>/<name>.<extension>`, checked before every write.

Bucket names are held to `careervp_infra.naming` at synth; the keys inside a bucket are made at run time, so
they are held to this rule where they are made: lowercase segments of letters, digits and single hyphens, a
known extension, and well under S3's 1024-byte limit. A key that breaks it is a defect, never written.
"""

from __future__ import annotations

import re

_SEGMENT = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
EXTENSIONS = ("json", "md", "txt")
MAX_KEY_BYTES = 256


class ObjectKeyError(ValueError):
    """A key that would break the rule; the message names the bad part."""


def object_key(component: str, kind: str, name: str, extension: str) -> str:
    """`<component>/<kind>/<name>.<extension>`, or ObjectKeyError naming the part that breaks the rule."""
    for label, segment in (("component", component), ("kind", kind), ("name", name)):
        if not _SEGMENT.match(segment):
            raise ObjectKeyError(
                f"object key {label} {segment!r} must be lowercase letters, digits and single hyphens"
            )
    if extension not in EXTENSIONS:
        raise ObjectKeyError(f"object key extension {extension!r} is not one of {', '.join(EXTENSIONS)}")
    key = f"{component}/{kind}/{name}.{extension}"
    if len(key.encode()) > MAX_KEY_BYTES:
        raise ObjectKeyError(f"object key {key[:40]!r}... is over {MAX_KEY_BYTES} bytes")
    return key
