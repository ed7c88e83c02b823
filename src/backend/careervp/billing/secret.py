"""Finds the webhook signing secret: the value itself (local runs, tests) or a Secrets Manager ARN (AWS).

The value is cached for five minutes so rotation takes effect without a redeploy; it is never logged.
"""

from __future__ import annotations

import os
import threading
import time

from careervp import aws_clients
from careervp.config import ConfigurationError
from careervp.resources import ENV_VAR_STRIPE_WEBHOOK_SECRET, ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN

CACHE_SECONDS = 300
_cache: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()


def _from_secrets_manager(arn: str) -> str:
    with _lock:
        cached = _cache.get(arn)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    value = aws_clients.secretsmanager().get_secret_value(SecretId=arn).get("SecretString") or ""
    if not value:
        raise ConfigurationError(
            f"the secret {arn} has no SecretString; store the webhook signing secret there"
        )
    with _lock:
        _cache[arn] = (time.monotonic(), value)
    return str(value)


def webhook_secret() -> str:
    value = os.environ.get(ENV_VAR_STRIPE_WEBHOOK_SECRET, "").strip()
    if value:
        return value
    arn = os.environ.get(ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN, "").strip()
    if arn:
        return _from_secrets_manager(arn)
    raise ConfigurationError(
        f"neither {ENV_VAR_STRIPE_WEBHOOK_SECRET} nor {ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN} is set; "
        "the deployment must provide the Stripe webhook signing secret"
    )
