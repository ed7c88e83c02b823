"""The names the account stack declares and the roles' rules refer to, in one place.

Role names follow `careervp-<env>-<component>-<resource>` (careervp_infra.naming), so the naming gatekeeper
checks them like any other. The artifact store's layout (`release/store.py`: `ledger/<env>/…`,
`approvals/<env>/…`, `runs/<env>/…`, `locks/<env>.…`) is restated here as the prefixes a role may write:
tests hold the two to each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from careervp_infra.environments import Environment, Environments, GitHubEnvironment
from careervp_infra.naming import Service, physical_name

STACK_NAME = "careervp-account-stack"
GITHUB_TOKEN_HOST = "token.actions.githubusercontent.com"  # noqa: S105 (a host name, not a secret)
GITHUB_OIDC_URL = f"https://{GITHUB_TOKEN_HOST}"
GITHUB_AUDIENCE = "sts.amazonaws.com"
OIDC_PROVIDER_ARN = f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:oidc-provider/{GITHUB_TOKEN_HOST}"
"""The provider's ARN as an Fn::Sub string: IAM derives it from the URL, so the trust names it directly."""
STORE_BUCKET = "careervp-artifacts-${AWS::AccountId}-${AWS::Region}"
STORE_LOG_BUCKET = "careervp-artifacts-logs-${AWS::AccountId}-${AWS::Region}"
BOOTSTRAP_QUALIFIER = "hnb659fds"
ASSET_BUCKET = f"cdk-{BOOTSTRAP_QUALIFIER}-assets-${{AWS::AccountId}}-${{AWS::Region}}"
"""The bucket DefaultStackSynthesizer names in every stack's asset manifest (release/cloudformation.py
uploads the Lambda code and large templates there, each under its environment's `asset_prefix`)."""
BOOTSTRAP_VERSION_PARAMETER = f"/cdk-bootstrap/{BOOTSTRAP_QUALIFIER}/version"
BOOTSTRAP_VERSION = "30"
"""The bootstrap version the synthesized templates' BootstrapVersion rule reads (it requires >= 6)."""

ARTIFACT_KEYS = "sha256-*.tar"
SHARED_CREATE_PREFIXES = ("events/",)
"""Written once by any deploy role (the store's own event log), never overwritten."""

REPOSITORY_PATTERN = re.compile(
    r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})$"
)


class RepositoryError(ValueError):
    """Not a GitHub `OWNER/NAME`."""


@dataclass(frozen=True)
class Repository:
    """The GitHub repository whose workflows the roles trust."""

    owner: str
    name: str

    @classmethod
    def parse(cls, text: str) -> Repository:
        match = REPOSITORY_PATTERN.match(text.strip())
        if match is None or match["name"] in (".", ".."):
            raise RepositoryError(
                f"{text!r} is not a GitHub repository: give OWNER/NAME (e.g. acme/careervp), the repository "
                "whose workflows assume the roles"
            )
        return cls(match["owner"], match["name"])

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"

    def subject(self, github_environment: str) -> str:
        """The `sub` claim of a job of this repository running in `github_environment`."""
        return f"repo:{self}:environment:{github_environment}"


def role_name(access: GitHubEnvironment) -> str:
    """The role a GitHub environment's jobs assume: `careervp-<env>-github-deploy` or `…-github-readonly`."""
    resource = "readonly" if access.read_only else "deploy"
    return physical_name(access.environment.name, "github", resource, service=Service.IAM_ROLE)


def execution_role_name(env: Environment) -> str:
    """The role CloudFormation acts as when it deploys `env`'s stack."""
    return physical_name(env.name, "cloudformation", "exec", service=Service.IAM_ROLE)


def role_arn(name: str, *, account: str, partition: str) -> str:
    """An IAM role's ARN (IAM is global: no region). The account stack passes CloudFormation's
    pseudo-parameters (`arns.role`), the release the live account's values (`execution_role_arn`)."""
    return f"arn:{partition}:iam::{account}:role/{name}"


def execution_role_arn(env: Environment, *, account: str, partition: str) -> str:
    """The ARN a release passes CloudFormation as `RoleARN` for `env`'s stack: the account stack's
    execution role, which is all `env`'s deploy role may pass (policies.deploy_statements)."""
    return role_arn(execution_role_name(env), account=account, partition=partition)


def roles_stack_name(env: Environment) -> str:
    """The stack holding `env`'s roles: `careervp-<env>-account-roles`."""
    return physical_name(env.name, "account", "roles", service=Service.STACK)


def deployable(registry: Environments) -> tuple[Environment, ...]:
    """The environments GitHub deploys (each has a deploy role and an execution role)."""
    return tuple(env for env in registry.stacks if env.github is not None)


def env_write_prefixes(env: str) -> tuple[str, ...]:
    """The store keys (as IAM resource suffixes) a deploy role of `env` writes besides the ledger."""
    return (f"approvals/{env}/*", f"runs/{env}/*", f"locks/{env}.*")


def asset_prefix(env: Environment) -> str:
    """The prefix of `env`'s keys in the asset bucket (`dev/`; a borrower's is its stack owner's): its
    synthesizer's `bucket_prefix`, and all of the bucket its roles may touch. Asset keys are content hashes
    and the release skips a key already there, so a bucket-wide write would let one environment plant the
    bytes another deploys."""
    return f"{env.stack}/"


def ledger_prefix(env: str) -> str:
    return f"ledger/{env}/*"


def logical_id(name: str) -> str:
    """`careervp-dev-github-deploy` -> `CareervpDevGithubDeploy` (a stable id from a name)."""
    return "".join(part.capitalize() for part in name.split("-"))


def output_key(role_secret: str) -> str:
    """The output holding the ARN for `role_secret`: `AWS_ROLE_DEV` -> `AwsRoleDev`."""
    return logical_id(role_secret.lower().replace("_", "-"))
