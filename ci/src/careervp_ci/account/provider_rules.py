"""The template holds GitHub's OIDC provider for the audience the roles check."""

from __future__ import annotations

from careervp_infra.account.naming import GITHUB_AUDIENCE, GITHUB_OIDC_URL

from careervp_ci.account.iam_rules import Finding
from careervp_ci.account.template import AccountTemplate


def check_provider(template: AccountTemplate) -> list[Finding]:
    providers = template.of_type("AWS::IAM::OIDCProvider").values()
    if any(
        properties.get("Url") == GITHUB_OIDC_URL and properties.get("ClientIdList") == [GITHUB_AUDIENCE]
        for properties in providers
    ):
        return []
    return [
        Finding(
            "provider",
            GITHUB_OIDC_URL,
            f"the template declares no OIDC provider for {GITHUB_OIDC_URL} with audience {GITHUB_AUDIENCE}",
        )
    ]
