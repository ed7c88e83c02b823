"""Who notifications come from: each environment sends from its own subdomain, because an SES identity is
unique per account and region. Free of the CDK: infra creates the identity and sets the notifier's address
from it, and the release smoke reads it; the Lambda package never needs it."""

from __future__ import annotations

PARENT_DOMAIN = "careervp.app"


def sender_domain(env: str) -> str:
    """The environment's SES identity; AWS sends from it only once SES sees its DKIM records."""
    return f"{env}.notifications.{PARENT_DOMAIN}"


def sender_address(env: str) -> str:
    return f"no-reply@{sender_domain(env)}"
