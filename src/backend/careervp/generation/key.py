"""The model API key: the value itself (local runs and tests, where it keys the Messages-API stand-in) or,
deployed, the Secrets Manager secret the deploy stored the pipeline's key in. Never logged."""

from __future__ import annotations

from careervp.resources import ENV_VAR_ANTHROPIC_API_KEY, ENV_VAR_ANTHROPIC_API_KEY_ARN
from careervp.secret_values import forget, secret_value


def api_key() -> str:
    return secret_value(ENV_VAR_ANTHROPIC_API_KEY, ENV_VAR_ANTHROPIC_API_KEY_ARN, "the Anthropic API key")


def forget_api_key() -> bool:
    """Drop the cached key (the API refused it: a deploy may have stored a new one); whether one was."""
    return forget(ENV_VAR_ANTHROPIC_API_KEY_ARN)
