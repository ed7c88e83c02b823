"""Notifications against a moto server over HTTP: an event published once fans out to every subscriber,
and the notifier function sends it through SES, as the emulator's own record of sent mail shows."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from careervp.handlers import notifier
from careervp.notifications.delivery import (
    EVENT_TYPE_ATTRIBUTE,
    SANDBOX_RECIPIENT,
    NotificationEvent,
    events_from_sns,
    publish,
)
from careervp.resources import ENV_VAR_NOTIFICATIONS_SENDER
from careervp_infra.notification_identity import sender_address, sender_domain


def client(endpoint: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")  # type: ignore[call-overload]


def sent_messages(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310
        messages: list[dict[str, Any]] = json.loads(response.read())["ses"]["Message"]
    return messages


def event(run: str) -> NotificationEvent:
    return NotificationEvent(template="smoke-test", recipient=SANDBOX_RECIPIENT, values={"run": run})


def test_one_published_event_reaches_every_subscriber_with_its_type(moto_endpoint: str) -> None:
    sns, sqs = client(moto_endpoint, "sns"), client(moto_endpoint, "sqs")
    topic = sns.create_topic(Name=f"careervp-dev-notifications-events-{uuid.uuid4().hex[:8]}")["TopicArn"]
    queues = [sqs.create_queue(QueueName=f"subscriber-{uuid.uuid4().hex[:8]}")["QueueUrl"] for _ in range(2)]
    for queue in queues:
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sent = event("fan-out")

    publish(sns, topic, sent)

    for queue in queues:
        [message] = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
        envelope = json.loads(message["Body"])
        assert envelope["MessageAttributes"][EVENT_TYPE_ATTRIBUTE]["Value"] == "email"
        [received] = events_from_sns({"Records": [{"Sns": {"Message": envelope["Message"]}}]})
        assert received == sent


def test_the_notifier_sends_each_event_through_ses(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv(ENV_VAR_NOTIFICATIONS_SENDER, sender_address("dev"))
    client(moto_endpoint, "ses").verify_domain_identity(Domain=sender_domain("dev"))
    run = uuid.uuid4().hex
    records = {"Records": [{"Sns": {"Message": event(run).model_dump_json()}}]}

    [message_id] = notifier.handler(records, None)["message_ids"]  # type: ignore[arg-type]

    [recorded] = [message for message in sent_messages(moto_endpoint) if message["id"] == message_id]
    assert recorded["source"] == "no-reply@dev.notifications.careervp.app"
    assert recorded["destinations"]["ToAddresses"] == [SANDBOX_RECIPIENT]
    assert recorded["subject"] == f"CareerVP notification check {run}"


def test_ses_refuses_a_sender_whose_identity_is_not_verified(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv(ENV_VAR_NOTIFICATIONS_SENDER, "no-reply@unverified.example")
    records = {"Records": [{"Sns": {"Message": event("refused").model_dump_json()}}]}

    with pytest.raises(ClientError, match="MessageRejected"):
        notifier.handler(records, None)  # type: ignore[arg-type]


def test_an_event_that_is_not_a_notification_fails_the_invocation() -> None:
    records = {
        "Records": [{"Sns": {"Message": json.dumps({"template": "smoke-test", "recipient": "nobody"})}}]
    }

    with pytest.raises(ValueError, match="recipient"):
        events_from_sns(records)
