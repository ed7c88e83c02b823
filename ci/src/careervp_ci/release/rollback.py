"""Going back: redeploy the digest that last passed verify and smoke in an environment before what runs there
now (or a named one that passed there), through the same lock, gates and post-deploy checks as any deploy
(`deploy`, road "rollback"), recorded in the ledger as a rollback with who ran it. Behind approval it needs no
fresh approval when the digest was approved for the environment before: that approval still names it."""

from __future__ import annotations

from careervp_ci.release.artifact import parse_digest
from careervp_ci.release.context import ReleaseContext
from careervp_ci.release.deploy import Deployed, deploy
from careervp_ci.release.errors import ReleaseFailed
from careervp_ci.release.ledger import Entry


def rollback_target(release: ReleaseContext, env: str, to: str | None) -> Entry:
    """The ledger's good deploy of `env` to go back to: of digest `to`, else the latest one that is not
    what `env` runs now. ReleaseFailed naming the candidates when there is none."""
    good = [entry for entry in release.ledger.entries(env) if entry.succeeded]
    passed = ", ".join(dict.fromkeys(entry.digest for entry in reversed(good))) or "none"
    if to is not None:
        digest = str(parse_digest(to))
        named = [entry for entry in good if entry.digest == digest]
        if not named:
            raise ReleaseFailed(
                f"rollback --env {env} --to {digest}: that digest never passed verify and smoke in {env} "
                f"(ledger of {release.store.uri}); a rollback goes only to one that did: {passed}"
            )
        return named[-1]
    current = release.ledger.current(env)
    earlier = [entry for entry in reversed(good) if current is None or entry.digest != current.digest]
    if not earlier:
        raise ReleaseFailed(
            f"rollback --env {env}: no earlier digest passed verify and smoke in {env} besides what runs "
            f"there now ({current.digest if current else 'nothing'}; ledger of {release.store.uri}); "
            "nothing to go back to"
        )
    return earlier[0]


def rollback(release: ReleaseContext, env: str, to: str | None = None, by: str = "") -> Deployed:
    """Deploy the rollback target of `env` (see `rollback_target`), recorded as a rollback by `by`."""
    back_to = rollback_target(release, env, to)
    current = release.ledger.current(env)
    now = current.digest if current else "nothing"
    note = f"rollback from {now} to {back_to.digest} (passed {back_to.time})"
    release.log(note)
    return deploy(release, env, back_to.digest, ref=back_to.ref, note=note, road="rollback", by=by)
