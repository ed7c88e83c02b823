"""Reads a secret the way every function does: the value itself from an environment variable (local runs,
tests) or, deployed, from the Secrets Manager ARN another variable names.

A value read from Secrets Manager is cached for `CACHE_SECONDS`, so a rotation takes effect without a
redeploy (at once where the caller `forget`s a value the service refused). Values are never logged; a
missing one is a `ConfigurationError` naming both variables.
"""

from __future__ import annotations

import os
import threading
import time

from careervp import aws_clients
from careervp.config import ConfigurationError

CACHE_SECONDS = 300
_cache: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()


def _from_secrets_manager(arn: str, what: str) -> str:
    with _lock:
        cached = _cache.get(arn)
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    value = aws_clients.secretsmanager().get_secret_value(SecretId=arn).get("SecretString") or ""
    if not value:
        raise ConfigurationError(f"the secret {arn} has no SecretString; store {what} there")
    with _lock:
        _cache[arn] = (time.monotonic(), value)
    return str(value)


def forget(arn_var: str) -> bool:
    """Drop the cached value of the secret `$arn_var` names (a service refused it: it may have been rotated
    since it was read); whether there was one to drop."""
    arn = os.environ.get(arn_var, "").strip()
    with _lock:
        return _cache.pop(arn, None) is not None


def secret_value(value_var: str, arn_var: str, what: str) -> str:
    """`$value_var` when set, else the SecretString of the secret whose ARN is `$arn_var`."""
    value = os.environ.get(value_var, "").strip()
    if value:
        return value
    arn = os.environ.get(arn_var, "").strip()
    if arn:
        return _from_secrets_manager(arn, what)
    raise ConfigurationError(f"neither {value_var} nor {arn_var} is set; the deployment must provide {what}")
