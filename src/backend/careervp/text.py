"""What every request model's free text shares, stated so the contract says exactly what the code accepts.

Lengths and "not blank" are checked on the text as sent (the JSON Schema's `minLength`, `maxLength` and
`pattern` read the same value), and only then is it stripped for storage: stripping first would accept
text longer than `maxLength` and refuse whitespace-only text the schema calls valid. Patterns are read by
Python's `re` (pydantic's default Rust engine reads some classes differently).
"""

from __future__ import annotations

from pydantic import AfterValidator, ConfigDict, StringConstraints

NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
r"""Somewhere a character that is not whitespace (`re.search` semantics, as JSON Schema's `pattern`), the
same set in every engine a client may read it with: `\s` alone differs (Python's adds \x1c-\x1f to Unicode's
White_Space, ECMAScript's adds U+FEFF and lacks U+0085), so the differences are named."""
STRIPPED = AfterValidator(str.strip)
REQUEST_MODEL_CONFIG = ConfigDict(extra="forbid", regex_engine="python-re")
LOWERED = AfterValidator(lambda text: text.strip().lower())
"""For values compared case-insensitively (a media type)."""


def not_blank(max_length: int) -> StringConstraints:
    """Constraints of required text: 1 to `max_length` characters as sent, not all whitespace."""
    return StringConstraints(min_length=1, max_length=max_length, pattern=NOT_BLANK)
