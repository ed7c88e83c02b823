"""Partial AWS credentials, refused before a release command runs: the rule the host CLI and the Dagger
`release` object share.

A key id and its secret come together; a session token is only ever a third part of them (an assumed role's
temporary credentials). Given none, another source may hold them (a profile, a web identity role, an
emulator's own), so none at all is not partial. Given some but not all, botocore would stop at the first
call with a traceback (PartialCredentialsError), or quietly use another source for a secret without its
key id: both are refused here instead, naming what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from careervp_ci.errors import UsageError

KEY_ID = "AWS_ACCESS_KEY_ID"
SECRET_KEY = "AWS_SECRET_ACCESS_KEY"  # noqa: S105 (the variable's name)
SESSION_TOKEN = "AWS_SESSION_TOKEN"  # noqa: S105 (the variable's name)
PARTS = (KEY_ID, SECRET_KEY, SESSION_TOKEN)


class PartialCredentials(UsageError):
    """Some AWS credentials were given, not all that go together (exit 2; nothing ran)."""


def missing_parts(given: Collection[str]) -> tuple[str, ...]:
    """The parts (of `PARTS`) that `given` lacks: the key id and the secret, once any part is given."""
    if not set(given) & set(PARTS):
        return ()
    return tuple(part for part in (KEY_ID, SECRET_KEY) if part not in given)


def refuse_partial(given: Collection[str], spell: Callable[[str], str] = str, where: str = "") -> None:
    """PartialCredentials naming the missing parts as the caller spells them (`spell`: a variable, a
    flag) when `given` is partial; nothing when it is whole or empty."""
    missing = missing_parts(given)
    if not missing:
        return
    present = [spell(part) for part in PARTS if part in given]
    raise PartialCredentials(
        f"partial AWS credentials{where}: {' and '.join(present)} given, {' and '.join(map(spell, missing))} "
        f"missing; give {spell(KEY_ID)} with {spell(SECRET_KEY)} (and {spell(SESSION_TOKEN)} for a role's "
        "temporary credentials), or none of them to use another source (AWS_PROFILE, a web identity "
        "role); nothing was run"
    )


def refuse_partial_environment(environ: Mapping[str, str]) -> None:
    """The host's check: an empty variable counts as not given, as botocore reads it."""
    refuse_partial([part for part in PARTS if environ.get(part)], where=" in the environment")
