"""`careervp-account-stack`: the OIDC provider, the roles of every environment, the store, the bootstrap."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack, StackSynthesizer
from aws_cdk import aws_iam as iam
from constructs import Construct

from careervp_infra.account.bootstrap import create_bootstrap
from careervp_infra.account.github_trust import create_github_provider, github_environment_principal
from careervp_infra.account.naming import STACK_NAME, Repository, deployable, execution_role_name, role_name
from careervp_infra.account.policies import deploy_statements, execution_statements, read_statements
from careervp_infra.account.store_bucket import create_access_log_bucket, create_store_bucket
from careervp_infra.account.wildcards import acknowledge_wildcards
from careervp_infra.environments import Environments

STACK_ID = "AccountStack"


def logical_id(name: str) -> str:
    """`careervp-dev-github-deploy` -> `CareervpDevGithubDeploy` (a stable id from the role's name)."""
    return "".join(part.capitalize() for part in name.split("-"))


class AccountStack(Stack):
    """Everything an AWS account needs before any CareerVP environment deploys to it."""

    def __init__(
        self,
        scope: Construct,
        registry: Environments,
        repository: Repository,
        synthesizer: StackSynthesizer | None = None,
    ) -> None:
        super().__init__(
            scope,
            STACK_ID,
            stack_name=STACK_NAME,
            description=f"CareerVP account: GitHub OIDC trust for {repository}, roles, artifact store",
            synthesizer=synthesizer,
            termination_protection=True,
        )
        provider = create_github_provider(self)
        logs = create_access_log_bucket(self)
        store = create_store_bucket(self, logs)
        create_bootstrap(self, logs)
        for env in deployable(registry):
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
        for access in registry.github_environments.values():
            name = role_name(access)
            document = iam.PolicyDocument(
                statements=read_statements(access.environment)
                if access.read_only
                else deploy_statements(access.environment)
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
            role.node.add_dependency(provider)
            CfnOutput(
                self,
                access.role_secret,
                value=role.role_arn,
                description=f"{access.role_secret} in {access.name}",
            )
        CfnOutput(
            self, "ArtifactStoreUri", value=f"s3://{store.bucket_name}", description="CAREERVP_ARTIFACT_STORE"
        )
