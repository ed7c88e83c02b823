"""Fan-out and delivery: an event is published once to the notifications topic (any subscriber may act on
it), and the notifier function sends it as an email through SES. Clients are passed in, so the deployed
function, the integration tests and the release smoke run the very same code against AWS or the emulator.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from careervp.notifications.templates import render

EVENT_TYPE_ATTRIBUTE = "event_type"
"""The SNS message attribute subscribers filter on."""
ADDRESS_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
"""An address SES can take: one @, a dotted domain, no spaces (SES itself judges the rest)."""
SANDBOX_RECIPIENT = "success@simulator.amazonses.com"
"""SES's mailbox simulator: accepted and counted as delivered, never reaches a person (smoke and tests)."""


class NotificationEvent(BaseModel):
    """One notification to send: which template, to whom, with which values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: Literal["email"] = "email"
    template: str = Field(min_length=1, max_length=64)
    recipient: str = Field(pattern=ADDRESS_PATTERN, max_length=254)
    values: dict[str, str] = Field(default_factory=dict, max_length=20)


def publish(sns: Any, topic_arn: str, event: NotificationEvent) -> str:
    """Publish `event` to the topic, with its type as a message attribute; returns SNS's message id."""
    reply = sns.publish(
        TopicArn=topic_arn,
        Message=event.model_dump_json(),
        MessageAttributes={EVENT_TYPE_ATTRIBUTE: {"DataType": "String", "StringValue": event.event_type}},
    )
    return str(reply["MessageId"])


def send(ses: Any, sender: str, event: NotificationEvent) -> str:
    """Render `event`'s template and send it from `sender`; returns SES's message id."""
    message = render(event.template, event.values)
    reply = ses.send_email(
        Source=sender,
        Destination={"ToAddresses": [event.recipient]},
        Message={
            "Subject": {"Data": message.subject, "Charset": "UTF-8"},
            "Body": {
                "Text": {"Data": message.text, "Charset": "UTF-8"},
                "Html": {"Data": message.html, "Charset": "UTF-8"},
            },
        },
    )
    return str(reply["MessageId"])


def events_from_sns(event: dict[str, Any]) -> list[NotificationEvent]:
    """The notification events an SNS-to-Lambda delivery carries (one per record)."""
    return [NotificationEvent.model_validate_json(record["Sns"]["Message"]) for record in event["Records"]]
