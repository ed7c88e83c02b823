"""The signed-in user the smoke and the e2e journeys call the personal routes as.

Where the pool is: on AWS the stack's `UserPoolId`/`UserPoolClientId` outputs; on an emulator, whose
CloudFormation does not create Cognito pools, the environment's pool made by the same names through moto's
Cognito API (`careervp_local.emulator.provision_user_pool`), which the locally served API then checks
tokens against. Who signs in: a throwaway user signed up through the app client and confirmed by an
administrator, deleted afterwards; on a target whose smoke is read-only (prod, `infra/environments.toml`)
one dedicated user, given a fresh password each time (no sign-ups, no throwaway accounts). Passwords and
tokens are generated here, masked in GitHub Actions, never printed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from careervp.resources import ENV_VAR_USER_POOL_CLIENT_ID, ENV_VAR_USER_POOL_ID, USER_POOL
from careervp_local import signin
from careervp_local.emulator import provision_user_pool

from careervp_ci.errors import CareervpError
from careervp_ci.release.masking import mask

DEDICATED_USER = "smoke@careervp.example"
"""A read-only smoke's user (prod's): one account, reused (its password replaced on every smoke)."""


class NoUserPool(CareervpError):
    """The target has no user pool the smoke can find (a stack deployed before phase 14)."""


@dataclass(frozen=True)
class SmokeUser:
    pool: dict[str, str]
    """`CAREERVP_USER_POOL_ID` and `CAREERVP_USER_POOL_CLIENT_ID`: what the local server checks against."""
    id_token: str = field(repr=False)
    email: str = ""
    password: str = field(default="", repr=False)
    """For the browser smoke, which signs in through the SPA's own form (masked, never printed)."""


def user_pool(
    kind: str, environment: str, outputs: Mapping[str, str], cognito: Any, log: Callable[[str], None]
) -> dict[str, str]:
    """The target's pool and app client, as the variables the local server reads."""
    if kind == "emulator":
        pool, created = provision_user_pool(environment, cognito)
        log(
            f"moto's CloudFormation does not create Cognito user pools: {'made' if created else 'using'} "
            f"{environment}'s through moto's Cognito API"
        )
        return pool
    missing = [name for name in (USER_POOL.pool_output, USER_POOL.client_output) if not outputs.get(name)]
    if missing:
        raise NoUserPool(
            f"the stack has no {' or '.join(missing)} output: it predates the user pool; deploy this release"
        )
    return {
        ENV_VAR_USER_POOL_ID: outputs[USER_POOL.pool_output],
        ENV_VAR_USER_POOL_CLIENT_ID: outputs[USER_POOL.client_output],
    }


@contextmanager
def signed_in(pool: dict[str, str], cognito: Any, *, dedicated: bool) -> Iterator[SmokeUser]:
    """A user of `pool`, signed in for the duration: the `dedicated` one, or a throwaway one deleted on the
    way out."""
    pool_id, client_id = pool[ENV_VAR_USER_POOL_ID], pool[ENV_VAR_USER_POOL_CLIENT_ID]
    password = signin.new_password()
    mask([password])
    email = DEDICATED_USER if dedicated else f"smoke-{uuid.uuid4().hex[:12]}@careervp.example"
    if dedicated:
        signin.set_password(cognito, pool_id, email, password)
    else:
        signin.sign_up(cognito, pool_id, client_id, email, password)
    try:
        token = signin.id_token(cognito, client_id, email, password)
        mask([token])
        yield SmokeUser(pool, token, email, password)
    finally:
        if not dedicated:
            signin.remove(cognito, pool_id, email)
