"""`POST /webhooks/stripe`: verify Stripe's signature, then record the subscription change once."""

from __future__ import annotations

import time

from aws_lambda_powertools.event_handler.exceptions import BadRequestError, UnauthorizedError
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel, ValidationError

from careervp.api import (
    SignedJsonBody,
    create_resolver,
    describe_validation_errors,
    error_responses,
    lambda_handler,
    ok_response,
)
from careervp.billing.events import StripeEvent, subscription_of
from careervp.billing.ledger import Outcome, SubscriptionLedger
from careervp.billing.signature import SignatureError, verify_signature
from careervp.config import table_name
from careervp.observability import logger, metrics
from careervp.resources import BILLING_FUNCTION, BILLING_TABLE

MAX_REQUEST_BYTES = 64 * 1024


class WebhookReceipt(BaseModel):
    event_id: str
    outcome: Outcome


app = create_resolver()
SIGNED_BODIES = (
    SignedJsonBody(
        method="post",
        path="/webhooks/stripe",
        model=StripeEvent,
        description="A Stripe event, exactly as Stripe sent it: the signature covers these bytes",
        signature_header="Stripe-Signature",
        signature_description="t=<unix seconds>,v1=<HMAC-SHA256 of 't.payload'>",
    ),
)


def _raw_body() -> bytes:
    body = app.current_event.decoded_body or ""
    return body.encode()


@app.post(
    "/webhooks/stripe",
    summary="Stripe webhook: subscription changes",
    responses={
        **ok_response(WebhookReceipt, "Verified and recorded (or recognised as already processed)"),
        **error_responses(400, 401, 413, 415, 500),
    },
)
def receive_stripe_event() -> WebhookReceipt:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS, not at import)
    from careervp.billing.secret import webhook_secret  # noqa: PLC0415  (it reads through boto3)

    payload = _raw_body()
    stripe_signature = app.current_event.headers.get("Stripe-Signature")  # case-insensitive
    try:
        verify_signature(payload, stripe_signature, webhook_secret(), now=time.time())
    except SignatureError as exc:
        logger.warning("stripe webhook refused", extra={"reason": str(exc)})
        metrics.add_metric(name="StripeWebhookRejected", unit=MetricUnit.Count, value=1)
        raise UnauthorizedError(str(exc)) from None
    try:
        event = StripeEvent.model_validate_json(payload)
        subscription = subscription_of(event)
    except ValidationError as exc:
        errors = [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        raise BadRequestError(describe_validation_errors(errors)) from None
    ledger = SubscriptionLedger(table=table_name(BILLING_TABLE), dynamodb=aws_clients.dynamodb())
    outcome = ledger.record(event, subscription, now=int(time.time()))
    logger.info("stripe event recorded", extra={"event_id": event.id, "type": event.type, "outcome": outcome})
    return WebhookReceipt(event_id=event.id, outcome=outcome)


handler = lambda_handler(
    app,
    function=BILLING_FUNCTION,
    max_body_bytes=MAX_REQUEST_BYTES,
    signature_headers=tuple(body.signature_header for body in SIGNED_BODIES),
)
