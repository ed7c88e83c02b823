"""`careervp-<env>-service-stack`: everything one environment runs, wired from `careervp.resources`."""

from __future__ import annotations

from aws_cdk import CfnOutput, Fn, Stack, StackSynthesizer, Tags
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_lambda as lambda_
from careervp.resources import USER_POOL
from constructs import Construct

from careervp_infra.api import create_api
from careervp_infra.auth import create_user_pool
from careervp_infra.data_stores import create_access_log_bucket, create_buckets, create_tables
from careervp_infra.environments import Environment
from careervp_infra.frontend import create_spa_hosting
from careervp_infra.functions import create_functions
from careervp_infra.monitoring import (
    create_alerts_topic,
    create_budget,
    create_function_alarms,
    create_model_spend_alarm,
)
from careervp_infra.naming import ENV_TAG, Service, physical_name
from careervp_infra.notifications import create_notifications
from careervp_infra.scanner_reasons import explain_resource_types
from careervp_infra.suppressions import acknowledge_accepted_findings
from careervp_infra.synthetics import create_health_canary
from careervp_infra.traffic import create_traffic_shifting
from careervp_infra.waf import create_web_acl

STACK_ID = "ServiceStack"


def stack_name(env: str) -> str:
    return physical_name(env, "service", "stack", service=Service.STACK)


def allowed_spa_origin(env: Environment, distribution: cloudfront.Distribution) -> str:
    """The one origin the API allows in CORS: the registry's `spa_origin`, else the stack's own distribution
    (a reference CloudFormation resolves: the distribution depends on the site bucket only, so the functions
    and the API may depend on it without a cycle)."""
    return env.spa_origin or Fn.join("", ["https://", distribution.distribution_domain_name])


class ServiceStack(Stack):
    """Tables, buckets, functions (each with log group and alarms, and where the environment shifts traffic,
    an alias and a CodeDeploy deployment group), the user pool, the API behind its
    authorizer, the budget, the API's web ACL, the synthetic health check, notifications, the SPA's hosting,
    and the outputs."""

    def __init__(
        self, scope: Construct, env: Environment, code: lambda_.Code, synthesizer: StackSynthesizer | None
    ) -> None:
        super().__init__(
            scope,
            STACK_ID,
            stack_name=stack_name(env.name),
            description=f"CareerVP service ({env.name})",
            synthesizer=synthesizer,
            termination_protection=env.protected,
        )
        # The KMS key stays untagged: moto's CloudFormation cannot create a tagged key, and the emulator
        # deploy must run the very template AWS gets. A key's cost is fixed, so the budget loses nothing.
        Tags.of(self).add(ENV_TAG, env.name, exclude_resource_types=["AWS::KMS::Key"])
        tables = create_tables(self, env)
        access_logs = create_access_log_bucket(self, env)
        buckets = create_buckets(self, env, access_logs)
        spa_origin = allowed_spa_origin(env, create_spa_hosting(self, env, access_logs))
        functions = create_functions(self, env, code, tables, buckets, spa_origin=spa_origin)
        topic = create_alerts_topic(self, env)
        alarms = {}
        for spec, function in functions.items():
            alarms[spec] = create_function_alarms(self, env, spec, function, topic)
            if spec.calls_model:
                create_model_spend_alarm(self, env, spec, function, topic)
        invoked = create_traffic_shifting(self, env, code, functions=functions, alarms=alarms, topic=topic)
        create_budget(self, env, topic)
        user_pool, client = create_user_pool(self, env)
        api = create_api(self, env, invoked, user_pool, spa_origin)
        create_health_canary(self, env, code, api, topic)
        create_web_acl(self, env, api)
        create_notifications(self, env, code, topic)

        CfnOutput(self, "ApiUrl", value=api.url, description="Base URL of the API stage")
        CfnOutput(self, USER_POOL.pool_output, value=user_pool.user_pool_id, description="The users' pool")
        CfnOutput(
            self,
            USER_POOL.client_output,
            value=client.user_pool_client_id,
            description="The app client whose ID tokens the API accepts",
        )
        for table_spec, table in tables.items():
            CfnOutput(self, table_spec.output, value=table.table_name)
        for bucket_spec, bucket in buckets.items():
            CfnOutput(self, bucket_spec.output, value=bucket.bucket_name)
        acknowledge_accepted_findings(self)
        explain_resource_types(self)
