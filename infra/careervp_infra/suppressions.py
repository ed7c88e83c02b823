"""The cdk-nag AwsSolutions findings CareerVP accepts, each with the reason it is accepted.

Kept in one place so a reviewer sees every exception at once; any finding not acknowledged here (or on
the one construct it concerns) fails the synth.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations

STACK_ACKNOWLEDGMENTS = (
    Acknowledgment(
        id="AwsSolutions-APIG4",
        reason="Only the public functions' methods (careervp.resources: Function.public) have no "
        "authorizer: /health, and /webhooks/stripe, which authenticates each request by its Stripe signature "
        "inside the function; and every resource's OPTIONS, a browser's CORS preflight, which never carries"
        " a token (careervp.cors); every other method is behind the Cognito authorizer "
        "(tests/unit/infra/test_infra_auth.py).",
    ),
    Acknowledgment(
        id="AwsSolutions-COG4",
        reason="The public methods of AwsSolutions-APIG4 (health, the signature-verified Stripe webhook) "
        "and the CORS preflights (OPTIONS) have no Cognito authorizer by design; every other method has it.",
    ),
    Acknowledgment(
        id="AwsSolutions-COG2",
        reason="MFA is optional (TOTP) so a user can sign up with an email alone; requiring it is a product "
        "decision for later, and the pool already enforces a 12-character, four-class password policy.",
    ),
    Acknowledgment(
        id="AwsSolutions-COG8",
        reason="Cognito threat protection needs the Plus feature plan, paid per active user; the API is "
        "behind a WAF web ACL with AWS managed IP-reputation and exploit rules (careervp_infra.waf).",
    ),
    Acknowledgment(
        id="AwsSolutions-APIG6",
        reason="Execution logging needs the account-wide API Gateway CloudWatch role, a singleton shared by "
        "all environments in an account; each stage writes JSON access logs to its own log group instead.",
    ),
    Acknowledgment(
        id="AwsSolutions-L1",
        reason="Python 3.13 is pinned on purpose: it is the project's .python-version, so tests run on the "
        "Lambda runtime's interpreter.",
    ),
)


def acknowledge_accepted_findings(stack: Stack) -> None:
    """Attach every stack-wide accepted finding to the stack."""
    Validations.of(stack).acknowledge(*STACK_ACKNOWLEDGMENTS)
