"""Where a secret's plaintext comes from, by upstream Dagger's rules (read at v0.21.8, the nearest tag in our
mirror to the pinned v0.21.11), with upstream's wording and Go's `%q` quoting.

- `normalised` is core/schema/address.go `addressSchema.secret`: a Secret flag's address as a URI (no `:`
  is `env://`, a legacy `scheme:rest` is `scheme://rest`) and its `cacheKey` query parameter, taken out.
- `reader` is engine/client/secretprovider/secretprovider.go `ResolverForID`: a URI without `://` is
  malformed and an unknown scheme unsupported (both refused at once); of the known providers the rehearsal
  reads env:// and file:// as env.go and file.go do, and any other is a RehearsalGap naming it.
A provider that cannot read its plaintext raises `Unreadable`: the engine then keys the secret at random and
the error surfaces where a call uses the plaintext (schema/secret.go), so does the rehearsal's resolver.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import partial
from typing import Final
from urllib.parse import quote_plus, unquote_plus

from careervp_ci.rehearsal.values import RehearsalGap, engine_error

PROVIDERS: Final = frozenset({"env", "file", "cmd", "op", "vault", "libsecret", "gcp", "aws+sm", "aws+ps"})
"""secretprovider.go `resolvers`: the schemes the engine knows."""
_GO_ESCAPES: Final = {
    "\a": r"\a",
    "\b": r"\b",
    "\f": r"\f",
    "\n": r"\n",
    "\r": r"\r",
    "\t": r"\t",
    "\v": r"\v",
    "\\": r"\\",
    '"': r"\"",
}
_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")


class Unreadable(Exception):
    """The provider could not read the plaintext; the message is upstream's."""


def go_quote(text: str) -> str:
    """Go's strconv.Quote (what `%q` prints): double quotes, Go escapes for what is not printable."""

    def escaped(char: str) -> str:
        if char in _GO_ESCAPES:
            return _GO_ESCAPES[char]
        if char.isprintable():
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return '"' + "".join(escaped(char) for char in text) + '"'


def _unescaped(text: str) -> str:
    """net/url QueryUnescape: `+` is a space, a `%` needs two hex digits."""
    bad = _BAD_ESCAPE.search(text)
    if bad:
        raise ValueError(f"invalid URL escape {go_quote(text[bad.start() : bad.start() + 3])}")
    return unquote_plus(text)


def _parsed_query(query: str) -> dict[str, list[str]]:
    """net/url ParseQuery: a `;` is refused (and that error wins), else the first bad escape is."""
    values: dict[str, list[str]] = {}
    error = ""
    for item in query.split("&"):
        if ";" in item:
            error = "invalid semicolon separator in query"
            continue
        if not item:
            continue
        key, _, value = item.partition("=")
        try:
            values.setdefault(_unescaped(key), []).append(_unescaped(value))
        except ValueError as bad:
            error = error or str(bad)
    if error:
        raise engine_error(error)
    return values


def _encoded(values: dict[str, list[str]]) -> str:
    """net/url Values.Encode: keys sorted, each key and value QueryEscaped."""
    pairs = ((key, value) for key in sorted(values) for value in values[key])
    return "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in pairs)


def normalised(address: str) -> tuple[str, str | None]:
    """The URI `Address.secret` selects `secret(uri, cacheKey)` with, and that cacheKey (None: not given)."""
    if ":" not in address:
        address = "env://" + address
    scheme, _, rest = address.partition(":")
    if not rest.startswith("//"):
        address = f"{scheme}://{rest}"
    base, _, query = address.partition("?")
    if not query:
        return address, None
    values = _parsed_query(query)
    if not values.get("cacheKey", [""])[0]:
        return address, None
    cache_key = values.pop("cacheKey")[0]
    remaining = _encoded(values)
    return (f"{base}?{remaining}" if remaining else base), cache_key


def reader(uri: str) -> Callable[[], str]:
    """What reads the plaintext `uri` names; refuses a URI the engine refuses when the secret is made."""
    scheme, found, path = uri.partition("://")
    if not found:
        raise engine_error(f"parse {go_quote(uri)}: malformed id")
    if scheme not in PROVIDERS:
        raise engine_error(f"unsupported secret provider: {go_quote(scheme)}")
    if scheme == "env":
        return partial(_env, path)
    if scheme == "file":
        return partial(_file, path)
    raise RehearsalGap(
        f"the {scheme}:// secret provider is not rehearsed (the rehearsal reads env:// and file:// only): "
        "give the secret as env://NAME or file://PATH"
    )


def _env(name: str) -> str:
    """env.go: the CLI's variable; a missing one is named by its first 3 characters only (the name may be a
    value passed by mistake, as users once had to)."""
    if name not in os.environ:
        shown = name[:3] + "..." if len(name) >= 4 else name
        raise Unreadable(f"secret env var not found: {go_quote(shown)}")
    return os.environ[name]


def _file(path: str) -> str:
    """file.go: `~` is the home directory, and the bytes are the secret as they are (a trailing newline
    stays)."""
    home = os.environ.get("HOME", "")
    if not home:
        raise Unreadable("$HOME is not defined")
    if path.startswith("~"):
        if len(path) > 1 and path[1] not in "/\\":
            raise Unreadable("cannot expand home directory")
        path = path.replace("~", home, 1)
    try:
        with open(path, "rb") as stream:  # noqa: PTH123  (Path("") would be the working directory)
            data = stream.read()
    except OSError as error:
        operation = "read" if isinstance(error, IsADirectoryError) else "open"  # Go opens a folder, reads
        reason = error.strerror or str(error)
        cause = f"{operation} {path}: {reason[:1].lower()}{reason[1:]}"
        raise Unreadable(f"failed to read secret file {go_quote(path)}: {cause}") from None
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise RehearsalGap(
            f"secret file {path!r} is not UTF-8: the rehearsal holds a secret as text"
        ) from None
