"""Where a tailored CV is stored: `tailoring/cvs/<tailoring id>.md`, a key `careervp.object_keys` checked."""

from __future__ import annotations

from careervp.object_keys import object_key


def tailored_cv_key(tailoring_id: str) -> str:
    return object_key("tailoring", "cvs", tailoring_id, "md")
