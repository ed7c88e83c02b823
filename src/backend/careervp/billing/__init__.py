"""Billing: Stripe webhook verification and the subscription state it records."""
