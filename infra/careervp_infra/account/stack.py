"""The account's stacks: `careervp-account-stack` (GitHub's OIDC provider, the artifact store, the CDK
bootstrap parts) and one `careervp-<env>-account-roles` per deployable environment (its CloudFormation
execution role and the roles its GitHub environments' jobs assume).

One roles stack per environment because a template CloudFormation takes inline is at most 51,200 bytes
and the account has no bucket yet to upload a bigger one to: each environment's roles are ~20 KB.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack, StackSynthesizer
from aws_cdk import aws_iam as iam
from constructs import Construct

from careervp_infra.account.bootstrap import create_bootstrap
from careervp_infra.account.github_trust import create_github_provider, github_environment_principal
from careervp_infra.account.naming import (
    STACK_NAME,
    Repository,
    execution_role_name,
    logical_id,
    output_key,
    role_name,
    roles_stack_name,
)
from careervp_infra.account.policies import deploy_statements, execution_statements, read_only_statements
from careervp_infra.account.store_bucket import create_access_log_bucket, create_store_bucket
from careervp_infra.account.wildcards import acknowledge_wildcards
from careervp_infra.environments import Environment, GitHubEnvironment

STACK_ID = "AccountStack"


class AccountStack(Stack):
    """What the account needs once, whatever its environments: the provider, the store, the bootstrap."""

    def __init__(self, scope: Construct, repository: Repository, synthesizer: StackSynthesizer) -> None:
        super().__init__(
            scope,
            STACK_ID,
            stack_name=STACK_NAME,
            description=f"CareerVP account: GitHub OIDC provider ({repository}), artifact store, CDK assets",
            synthesizer=synthesizer,
            termination_protection=True,
        )
        create_github_provider(self)
        logs = create_access_log_bucket(self)
        store = create_store_bucket(self, logs)
        create_bootstrap(self, logs)
        CfnOutput(
            self, "ArtifactStoreUri", value=f"s3://{store.bucket_name}", description="CAREERVP_ARTIFACT_STORE"
        )


class EnvironmentRolesStack(Stack):
    """One environment's roles: CloudFormation's execution role, and one per GitHub environment naming it."""

    def __init__(
        self,
        scope: Construct,
        env: Environment,
        accesses: list[GitHubEnvironment],
        repository: Repository,
        synthesizer: StackSynthesizer,
    ) -> None:
        super().__init__(
            scope,
            logical_id(roles_stack_name(env)),
            stack_name=roles_stack_name(env),
            description=f"CareerVP {env.name}: the roles its deploys assume (GitHub {repository})",
            synthesizer=synthesizer,
            termination_protection=env.protected,
        )
        name = execution_role_name(env)
        document = iam.PolicyDocument(statements=execution_statements(env))
        execution = iam.Role(
            self,
            logical_id(name),
            role_name=name,
            description=f"CloudFormation deploys careervp-{env.name}-service-stack as this role",
            assumed_by=iam.ServicePrincipal("cloudformation.amazonaws.com"),
            inline_policies={"manage": document},
        )
        acknowledge_wildcards(execution, document)
        for access in accesses:
            self._github_role(access, repository)

    def _github_role(self, access: GitHubEnvironment, repository: Repository) -> None:
        name = role_name(access)
        env = access.environment
        document = iam.PolicyDocument(
            statements=read_only_statements(env) if access.read_only else deploy_statements(env)
        )
        role = iam.Role(
            self,
            logical_id(name),
            role_name=name,
            description=f"GitHub environment {access.name}'s jobs assume it ({access.role_secret})",
            assumed_by=github_environment_principal(repository, access.name),
            inline_policies={"release": document},
        )
        acknowledge_wildcards(role, document)
        CfnOutput(
            self,
            output_key(access.role_secret),
            value=role.role_arn,
            description=f"{access.role_secret} in GitHub environment {access.name}",
        )
