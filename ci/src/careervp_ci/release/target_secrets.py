"""The secrets a deployed stack reads by name from the target's Secrets Manager: the webhook secret it
imports (must exist before a deploy) and the model API key (stored by the deploy, read by the local API on
an emulator). Values are never printed."""

from __future__ import annotations

import secrets as tokens

from botocore.exceptions import BotoCoreError, ClientError
from careervp.resources import ANTHROPIC_API_KEY_SECRET, ENV_VAR_ANTHROPIC_API_KEY_ARN

from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.context import Log
from careervp_ci.release.errors import ReleaseFailed, ReleaseRefused
from careervp_ci.release.session import secret_name, webhook_secret_name
from careervp_ci.release.targets import Target


def require_webhook_secret(target: Target, session: AwsSession) -> None:
    name = webhook_secret_name(target)
    client = session.client("secretsmanager")
    try:
        client.describe_secret(SecretId=name)
    except client.exceptions.ResourceNotFoundException:
        raise ReleaseRefused(
            f"missing secret {name} in {target.describe()}: the stack imports it by name; create it "
            "(its value is the Stripe webhook signing secret) and deploy again; nothing was deployed"
        ) from None


def store_model_key(target: Target, session: AwsSession, value: str, log: Log) -> None:
    """Put the pipeline's model API key into the secret the functions read, creating it on the first
    deploy; an unchanged value is left alone, and so is an emulator's when none is given (`value` ''),
    which gets a throwaway key if it has none."""
    name = secret_name(target, ANTHROPIC_API_KEY_SECRET)
    client = session.client("secretsmanager")
    try:
        try:
            current = client.get_secret_value(SecretId=name).get("SecretString")
        except client.exceptions.ResourceNotFoundException:
            client.create_secret(
                Name=name,
                SecretString=value or tokens.token_urlsafe(32),
                Description="The Anthropic API key (careervp-ci deploy)",
            )
            log(f"model API key stored in the new secret {name}")
            return
        if not value:
            log(f"model API key in {name} kept (none given; an emulator calls no real model)")
        elif current != value:
            client.put_secret_value(SecretId=name, SecretString=value)
            log(f"model API key updated in {name}")
        else:
            log(f"model API key in {name} is current")
    except (ClientError, BotoCoreError) as error:
        # An AWS error is named by its code: its message may carry the value.
        raise ReleaseFailed(
            f"could not store the model API key in {name} ({type(error).__name__}: "
            f"{getattr(error, 'response', {}).get('Error', {}).get('Code', error)}); nothing was deployed"
        ) from None


def model_key_on(target: Target, session: AwsSession, log: Log) -> tuple[dict[str, str], str | None]:
    """An emulator's model key secret, as the functions would read it: the variable naming its ARN, and
    the value (for the stand-in to accept only it); none when no deploy stored one."""
    name = secret_name(target, ANTHROPIC_API_KEY_SECRET)
    client = session.client("secretsmanager")
    try:
        found = client.get_secret_value(SecretId=name)
    except client.exceptions.ResourceNotFoundException:
        log(f"no secret {name} on {target.name}: the routes that call the model will answer 500")
        return {}, None
    return {ENV_VAR_ANTHROPIC_API_KEY_ARN: str(found["ARN"])}, str(found.get("SecretString") or "")
