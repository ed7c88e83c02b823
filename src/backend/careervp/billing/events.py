"""The parts of a Stripe event that billing acts on, validated at the edge."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

SUBSCRIPTION_EVENT_TYPES = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
    }
)


class StripeObject(BaseModel):
    model_config = ConfigDict(extra="allow")

    object: Annotated[str, StringConstraints(min_length=1)]
    id: Annotated[str, StringConstraints(min_length=1, max_length=255)]


class EventData(BaseModel):
    model_config = ConfigDict(extra="allow")

    object: StripeObject


class StripeEvent(BaseModel):
    """A Stripe event envelope; Stripe adds fields over time, so unknown ones are kept, not refused."""

    model_config = ConfigDict(extra="allow")

    id: Annotated[str, StringConstraints(pattern=r"^evt_[A-Za-z0-9_]{1,250}$")]
    type: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    created: int
    livemode: bool = False
    data: EventData


class Subscription(BaseModel):
    """The subscription state billing records."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, StringConstraints(pattern=r"^sub_[A-Za-z0-9_]{1,250}$")]
    customer: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    status: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    cancel_at_period_end: bool = False


def subscription_of(event: StripeEvent) -> Subscription | None:
    """The subscription the event changes, or None for event types billing does not track."""
    if event.type not in SUBSCRIPTION_EVENT_TYPES:
        return None
    payload: dict[str, Any] = event.data.object.model_dump()
    return Subscription.model_validate(payload)
