"""Where a tailored CV is stored: `tailoring/cvs/<tailoring id>.md`, a key `careervp.object_keys` checked, in
the tailoring bucket."""

from __future__ import annotations

from careervp.generation.endpoint import Documents
from careervp.object_keys import object_key
from careervp.resources import TAILORING_BUCKET


def tailored_cv_key(tailoring_id: str) -> str:
    return object_key("tailoring", "cvs", tailoring_id, "md")


TAILORED_CVS = Documents(
    bucket=TAILORING_BUCKET, key_of=tailored_cv_key, logged_as="cv tailored", id_field="tailoring_id"
)
