"""Reads the run-time configuration the functions need from their environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping

from careervp.resources import ENV_VAR_ENVIRONMENT, ENV_VAR_VERSION, Bucket, Table

UNKNOWN_VERSION = "0.0.0+unknown"


class ConfigurationError(RuntimeError):
    """A required environment variable is missing: a deployment defect, not a client error."""


def required_env(name: str, env: Mapping[str, str] | None = None) -> str:
    """The value of `name`, or a `ConfigurationError` that names the variable to set."""
    value = (os.environ if env is None else env).get(name, "").strip()
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set; the deployment must set it")
    return value


def table_name(table: Table, env: Mapping[str, str] | None = None) -> str:
    return required_env(table.env_var, env)


def bucket_name(bucket: Bucket, env: Mapping[str, str] | None = None) -> str:
    return required_env(bucket.env_var, env)


def service_version(env: Mapping[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get(ENV_VAR_VERSION, "").strip() or UNKNOWN_VERSION


def environment_name(env: Mapping[str, str] | None = None) -> str:
    return (os.environ if env is None else env).get(ENV_VAR_ENVIRONMENT, "").strip() or "local"
