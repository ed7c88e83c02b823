"""Where a cover letter is stored: `letters/cover-letters/<letter id>.md`, a key `careervp.object_keys`
checked."""

from __future__ import annotations

from careervp.object_keys import object_key


def cover_letter_key(letter_id: str) -> str:
    return object_key("letters", "cover-letters", letter_id, "md")
