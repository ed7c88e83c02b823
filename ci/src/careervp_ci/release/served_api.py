"""The environment's API as the after-deploy checks reach it: the stack's ApiUrl on AWS; on an emulator
(where Lambda does not run) the real handlers served on 127.0.0.1 against the emulator's tables and
buckets, with the Messages-API stand-in as the model. And the smoke user who signs in to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from careervp.resources import (
    BUCKETS,
    ENV_VAR_ANTHROPIC_BASE_URL,
    ENV_VAR_CORS_ALLOWED_ORIGIN,
    ENV_VAR_RESEARCH_ALLOWED_HOSTS,
    ENV_VAR_USER_POOL_ID,
    TABLES,
)
from careervp_local.http_server import serve_locally
from careervp_local.messages_standin import serve_messages_standin
from careervp_local.signin import SignInFailed

from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.context import Log
from careervp_ci.release.errors import SmokeUserFailed
from careervp_ci.release.session import aws_env
from careervp_ci.release.smoke import SECRET_ENV
from careervp_ci.release.smoke_user import NoUserPool, SmokeUser, signed_in, user_pool
from careervp_ci.release.target_secrets import model_key_on
from careervp_ci.release.targets import Target


@contextmanager
def served_api(
    target: Target,
    session: AwsSession,
    stack_outputs: dict[str, str],
    secret: str,
    commit: str,
    *,
    log: Log,
    pool: dict[str, str] | None,
    spa_origin: str = "",
) -> Iterator[str]:
    """The environment's API base URL; on an emulator the local API reads the model key from the
    emulator's Secrets Manager as deployed, checks ID tokens against `pool` (None: the target's) as the
    API's authorizer does, and allows `spa_origin` (where the smoke serves the SPA) in CORS."""
    if target.kind == "aws":
        yield stack_outputs["ApiUrl"]
        return
    env = {
        **aws_env(session),
        "CAREERVP_ENV": target.stack_env,
        "CAREERVP_VERSION": commit,
        **{table.env_var: stack_outputs[table.output] for table in TABLES},
        **{bucket.env_var: stack_outputs[bucket.output] for bucket in BUCKETS},
        ENV_VAR_RESEARCH_ALLOWED_HOSTS: "127.0.0.1",  # the fixture site it researches lives there
        SECRET_ENV: secret,
        **(pool or target_user_pool(target, session, stack_outputs, log)),
        **({ENV_VAR_CORS_ALLOWED_ORIGIN: spa_origin} if spa_origin else {}),
    }
    model_env, model_key = model_key_on(target, session, log)
    log("Lambda does not run in the emulator; serving the real handlers on 127.0.0.1 against it")
    with serve_messages_standin(api_key=model_key) as model:
        log(f"the model is the Messages-API stand-in at {model.base_url} (no real model is called)")
        env |= {**model_env, ENV_VAR_ANTHROPIC_BASE_URL: model.base_url}
        with serve_locally(env) as base_url:
            yield base_url


@contextmanager
def smoke_user(
    target: Target, session: AwsSession, stack_outputs: dict[str, str], log: Log
) -> Iterator[SmokeUser]:
    """A user of the target's pool, signed in (release.smoke_user); SmokeUserFailed says why not."""
    pool = target_user_pool(target, session, stack_outputs, log)
    with ExitStack() as stack:
        try:
            cognito = session.client("cognito-idp")
            user = stack.enter_context(signed_in(pool, cognito, dedicated=target.read_only_smoke))
        except (SignInFailed, ClientError, BotoCoreError) as error:
            raise SmokeUserFailed(f"the smoke user could not sign in ({_why(error)})") from error
        log(f"signed in as a smoke user of the user pool {pool[ENV_VAR_USER_POOL_ID]}")
        yield user


def target_user_pool(
    target: Target, session: AwsSession, stack_outputs: dict[str, str], log: Log
) -> dict[str, str]:
    """The target's user pool and app client (release.smoke_user); SmokeUserFailed says why none."""
    try:
        return user_pool(target.kind, target.stack_env, stack_outputs, session.client("cognito-idp"), log)
    except (NoUserPool, ClientError, BotoCoreError) as error:
        raise SmokeUserFailed(f"no user pool to sign the smoke user in to ({_why(error)})") from error


def _why(error: Exception) -> str:
    """An AWS error by its code (its message may name the user), anything else as it says."""
    return str(error.response["Error"].get("Code", "")) if isinstance(error, ClientError) else str(error)
