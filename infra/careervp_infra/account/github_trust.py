"""GitHub's OIDC provider and the trust a role gives exactly one GitHub environment of this repository.

A job's token has `aud` = sts.amazonaws.com (what aws-actions/configure-aws-credentials asks for) and, in a
job that names an environment, `sub` = `repo:OWNER/NAME:environment:ENV`. Both are matched with StringEquals:
no wildcard, so neither another repository nor another environment of this one (nor a branch or pull request
job without the environment) can assume the role.
"""

from __future__ import annotations

from aws_cdk import Fn
from aws_cdk import aws_iam as iam
from constructs import Construct

from careervp_infra.account.naming import (
    GITHUB_AUDIENCE,
    GITHUB_OIDC_URL,
    GITHUB_TOKEN_HOST,
    OIDC_PROVIDER_ARN,
    Repository,
)

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"


def create_github_provider(scope: Construct) -> iam.CfnOIDCProvider:
    """The account's one provider for GitHub Actions tokens (no thumbprint: IAM trusts its CA)."""
    return iam.CfnOIDCProvider(
        scope, "GitHubOidcProvider", url=GITHUB_OIDC_URL, client_id_list=[GITHUB_AUDIENCE]
    )


def github_environment_principal(repository: Repository, github_environment: str) -> iam.FederatedPrincipal:
    """Jobs of `repository` running in `github_environment`, and nothing else."""
    return iam.FederatedPrincipal(
        Fn.sub(OIDC_PROVIDER_ARN),
        conditions={
            "StringEquals": {
                f"{GITHUB_TOKEN_HOST}:aud": GITHUB_AUDIENCE,
                f"{GITHUB_TOKEN_HOST}:sub": repository.subject(github_environment),
            }
        },
        assume_role_action=WEB_IDENTITY_ACTION,
    )
