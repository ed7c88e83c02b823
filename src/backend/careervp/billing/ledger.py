"""Records subscription state from Stripe events, exactly once per event.

Each processed event leaves an `EVENT#<id>` marker (kept 30 days, longer than Stripe retries) written in the
same DynamoDB transaction as the subscription change, conditional on the marker not existing: a redelivered
or replayed event finds its marker and changes nothing. A subscription is only overwritten by an event at
least as recent as the one that last wrote it, because Stripe does not guarantee delivery order.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from careervp.billing.events import StripeEvent, Subscription

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, PutTypeDef

EVENT_MARKER_TTL_SECONDS = 30 * 24 * 3600
CONDITION_FAILED = "ConditionalCheckFailed"


class Outcome(StrEnum):
    APPLIED = "applied"
    """The subscription now reflects the event."""
    DUPLICATE = "duplicate"
    """The event was processed before; nothing changed."""
    STALE = "stale"
    """A more recent event already set the subscription; the event is recorded, the state kept."""
    IGNORED = "ignored"
    """An event type billing does not track; recorded so a redelivery is recognised."""


def event_key(event_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"EVENT#{event_id}"}, "sk": {"S": "EVENT"}}


def subscription_key(subscription_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"SUBSCRIPTION#{subscription_id}"}, "sk": {"S": "STATE"}}


class SubscriptionLedger:
    def __init__(self, *, table: str, dynamodb: DynamoDBClient) -> None:
        self._table = table
        self._dynamodb = dynamodb

    def _marker(self, event: StripeEvent, outcome: Outcome, now: int) -> PutTypeDef:
        return {
            "TableName": self._table,
            "Item": {
                **event_key(event.id),
                "event_type": {"S": event.type},
                "outcome": {"S": outcome.value},
                "processed_at": {"N": str(now)},
                "expires_at": {"N": str(now + EVENT_MARKER_TTL_SECONDS)},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }

    def _put_marker_only(self, event: StripeEvent, outcome: Outcome, now: int) -> Outcome:
        try:
            self._dynamodb.put_item(**self._marker(event, outcome, now))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return Outcome.DUPLICATE
            raise
        return outcome

    def record(self, event: StripeEvent, subscription: Subscription | None, *, now: int) -> Outcome:
        if subscription is None:
            return self._put_marker_only(event, Outcome.IGNORED, now)
        state: PutTypeDef = {
            "TableName": self._table,
            "Item": {
                **subscription_key(subscription.id),
                "customer": {"S": subscription.customer},
                "status": {"S": subscription.status},
                "cancel_at_period_end": {"BOOL": subscription.cancel_at_period_end},
                "last_event_id": {"S": event.id},
                "last_event_created": {"N": str(event.created)},
                "updated_at": {"N": str(now)},
            },
            "ConditionExpression": "attribute_not_exists(pk) OR last_event_created <= :created",
            "ExpressionAttributeValues": {":created": {"N": str(event.created)}},
        }
        try:
            self._dynamodb.transact_write_items(
                TransactItems=[{"Put": self._marker(event, Outcome.APPLIED, now)}, {"Put": state}]
            )
        except self._dynamodb.exceptions.TransactionCanceledException as exc:
            reasons = [reason.get("Code") for reason in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == CONDITION_FAILED:
                return Outcome.DUPLICATE
            if len(reasons) > 1 and reasons[1] == CONDITION_FAILED:
                return self._put_marker_only(event, Outcome.STALE, now)
            raise
        return Outcome.APPLIED
