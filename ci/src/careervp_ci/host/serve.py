"""`careervp-ci serve`: the API on 127.0.0.1 for a developer, with nothing to set by hand.

It starts a moto server (or uses `--endpoint URL` of a running one), creates the tables, buckets and user
pool, generates a webhook signing secret for this run and prints it once, as an `export` line, so the
developer can sign their own test webhooks; it signs in a developer user of the pool (a throwaway password)
and prints its ID token once the same way, for the Authorization header of the personal routes; it starts
the Messages-API stand-in (`careervp_local.messages_standin`) as the model, keyed with a throwaway key, so
CV tailoring and cover letters answer without calling the real model; then it prints the base URL and
serves the real handlers (`careervp_local.http_server`) until Ctrl-C or SIGTERM, when it stops the server,
the stand-in and the emulator it started. The AWS credentials are the emulator's placeholders, the model key
a throwaway: a developer's real ones are never used.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from types import FrameType
from typing import Any, TextIO

from careervp_ci.errors import UsageError

ENVIRONMENT = "local"
DEVELOPER = "developer@careervp.local"
"""The pool's user `serve` signs in (the emulator's pool only)."""
TOKEN_ENV = "CAREERVP_ID_TOKEN"  # noqa: S105 (the variable's name)
DEFAULT_PORT = 8000
REGION = "us-east-1"
SECRET_PREFIX = "whsec_local_"  # noqa: S105 (a prefix, not a secret)


def register(commands: Any) -> None:
    parser = commands.add_parser("serve", help="serve the API on 127.0.0.1 against an AWS emulator")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default: {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument(
        "--endpoint", metavar="URL", help="a running AWS emulator (default: start a moto server for this run)"
    )
    parser.add_argument(
        "--research-hosts",
        metavar="HOSTS",
        default="",
        help="the only hosts company research may fetch, comma-separated (default: any public host); "
        "127.0.0.1 keeps every research on this machine",
    )
    parser.add_argument(
        "--spa-origin",
        metavar="ORIGIN",
        help="the origin whose pages may call the API from a browser (default: the local environment's "
        "spa_origin in infra/environments.toml)",
    )


def _emulator_env(endpoint: str) -> dict[str, str]:
    """What boto3 needs to talk to the emulator, and only to it."""
    from careervp_ci.release.emulator import EMULATOR_CREDENTIALS  # noqa: PLC0415 (moto: only when needed)

    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        **EMULATOR_CREDENTIALS,
        "POWERTOOLS_METRICS_DISABLED": "true",
    }


def _moto_endpoint(url: str) -> str:
    """moto reads a `127.0.0.1` host as an S3 bucket name: the same emulator answers as `localhost`."""
    return url.rstrip("/").replace("://127.0.0.1:", "://localhost:")


@contextmanager
def _emulator(endpoint: str | None) -> Iterator[str]:
    if endpoint:
        yield _moto_endpoint(endpoint)
        return
    from careervp_ci.release.emulator import running_emulator  # noqa: PLC0415 (moto: only when needed)

    with running_emulator() as started:
        yield started


def _stop_on_sigterm(stop: threading.Event) -> None:
    """SIGTERM stops the server; so does Ctrl-C however the process was started. A process inherits SIGINT
    ignored from a script's background job (POSIX) and may inherit it blocked from the thread that started
    it; Python then raises no KeyboardInterrupt and Ctrl-C did nothing (seen in a full `make test` started
    as `make test &`)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def registry_spa_origin() -> str:
    """The local environment's SPA origin, from the environment registry ('' when it names none)."""
    from careervp_infra.environments import load_environments  # noqa: PLC0415

    return load_environments().get(ENVIRONMENT).spa_origin or ""


def serve(
    port: int,
    endpoint: str | None,
    research_hosts: str = "",
    spa_origin: str = "",
    out: TextIO = sys.stdout,
) -> int:
    import boto3  # noqa: PLC0415
    from careervp.resources import (  # noqa: PLC0415
        ENV_VAR_ANTHROPIC_API_KEY,
        ENV_VAR_ANTHROPIC_BASE_URL,
        ENV_VAR_CORS_ALLOWED_ORIGIN,
        ENV_VAR_RESEARCH_ALLOWED_HOSTS,
        ENV_VAR_STRIPE_WEBHOOK_SECRET,
        ENV_VAR_USER_POOL_CLIENT_ID,
        ENV_VAR_USER_POOL_ID,
    )
    from careervp_local import signin  # noqa: PLC0415
    from careervp_local.emulator import provision, resource_env  # noqa: PLC0415
    from careervp_local.http_server import serve_locally  # noqa: PLC0415
    from careervp_local.messages_standin import serve_messages_standin  # noqa: PLC0415

    stop = threading.Event()
    _stop_on_sigterm(stop)
    try:
        with ExitStack() as stack, _emulator(endpoint) as emulator:
            os.environ.pop("AWS_SESSION_TOKEN", None)
            os.environ.pop("AWS_PROFILE", None)
            os.environ.update(_emulator_env(emulator))
            secret = SECRET_PREFIX + secrets.token_urlsafe(24)
            model_key = secrets.token_urlsafe(24)
            model = stack.enter_context(serve_messages_standin(api_key=model_key))
            env = {
                **resource_env(ENVIRONMENT),
                **_emulator_env(emulator),
                ENV_VAR_STRIPE_WEBHOOK_SECRET: secret,
                ENV_VAR_ANTHROPIC_API_KEY: model_key,
                ENV_VAR_ANTHROPIC_BASE_URL: model.base_url,
                **({ENV_VAR_RESEARCH_ALLOWED_HOSTS: research_hosts} if research_hosts else {}),
                **({ENV_VAR_CORS_ALLOWED_ORIGIN: spa_origin} if spa_origin else {}),
            }
            created = provision(env)
            cognito, password = boto3.client("cognito-idp"), signin.new_password()
            signin.set_password(cognito, env[ENV_VAR_USER_POOL_ID], DEVELOPER, password)
            token = signin.id_token(cognito, env[ENV_VAR_USER_POOL_CLIENT_ID], DEVELOPER, password)
            with serve_locally(env, port=port) as base_url:
                print(f"emulator: {emulator} ({created} tables, buckets and user pools created)", file=out)
                print(f"model: the Messages-API stand-in at {model.base_url} (no real model)", file=out)
                print("webhook signing secret for this run (sign your test webhooks with it):", file=out)
                print(f"export {ENV_VAR_STRIPE_WEBHOOK_SECRET}={secret}", file=out)
                print(f"{DEVELOPER}'s ID token (the Authorization header of the personal routes):", file=out)
                print(f"export {TOKEN_ENV}={token}", file=out)
                if spa_origin:
                    print(f"browser calls allowed from {spa_origin} (CORS)", file=out)
                print(f"ready: {base_url}  (try: curl {base_url}/health; Ctrl-C stops)", file=out, flush=True)
                stop.wait()
    except KeyboardInterrupt:
        pass
    print("stopped", file=out, flush=True)
    return 0


def dispatch(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number (0-65535)")
    try:
        spa_origin = registry_spa_origin() if args.spa_origin is None else args.spa_origin
        return serve(args.port, args.endpoint, args.research_hosts, spa_origin)
    except (BotoCoreError, ClientError) as error:
        raise UsageError(f"the AWS emulator at {args.endpoint} did not answer: {error}") from None
    except OSError as error:
        raise UsageError(
            f"cannot serve on 127.0.0.1:{args.port}: {error.strerror}; pick another --port"
        ) from None
