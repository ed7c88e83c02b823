"""Where a cover letter is stored: `letters/cover-letters/<letter id>.md`, a key `careervp.object_keys`
checked, in the letters bucket."""

from __future__ import annotations

from careervp.generation.endpoint import Documents
from careervp.object_keys import object_key
from careervp.resources import LETTERS_BUCKET


def cover_letter_key(letter_id: str) -> str:
    return object_key("letters", "cover-letters", letter_id, "md")


COVER_LETTERS = Documents(
    bucket=LETTERS_BUCKET, key_of=cover_letter_key, logged_as="cover letter written", id_field="letter_id"
)
