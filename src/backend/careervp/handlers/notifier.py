"""The notifier: subscribed to the notifications topic, it sends each event as an email through SES.

Recipients are personal data: the log names how many messages went out and their SES ids, never an address.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from careervp import aws_clients
from careervp.config import required_env
from careervp.notifications.delivery import events_from_sns, send
from careervp.observability import logger
from careervp.resources import ENV_VAR_NOTIFICATIONS_SENDER


def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Send every record's event; a bad event or an SES refusal fails the invocation, so SNS retries it."""
    sender = required_env(ENV_VAR_NOTIFICATIONS_SENDER)
    message_ids = [send(aws_clients.ses(), sender, item) for item in events_from_sns(event)]
    logger.info("notifications sent", extra={"count": len(message_ids), "message_ids": message_ids})
    return {"message_ids": message_ids}
