"""Finds the webhook signing secret: the value itself (local runs, tests) or a Secrets Manager ARN (AWS).

The value is cached for five minutes so rotation takes effect without a redeploy; it is never logged
(`careervp.secret_values`).
"""

from __future__ import annotations

from careervp.resources import ENV_VAR_STRIPE_WEBHOOK_SECRET, ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN
from careervp.secret_values import secret_value


def webhook_secret() -> str:
    return secret_value(
        ENV_VAR_STRIPE_WEBHOOK_SECRET, ENV_VAR_STRIPE_WEBHOOK_SECRET_ARN, "the Stripe webhook signing secret"
    )
