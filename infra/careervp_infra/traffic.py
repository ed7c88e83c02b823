"""How a deploy moves traffic to each function's new version: the environment's `traffic_shift`.

With it set, each function publishes a version per change behind its `live` alias, and the API invokes the
alias. A change to the alias's version is a CodeDeploy deployment (the alias's `CodeDeployLambdaAliasUpdate`
update policy): the pre-traffic hook (`careervp.handlers.pre_traffic`) checks the new version first, then
traffic moves as the configuration says while the function's alarms are watched, and a failed hook, an
alarm or a stopped deployment moves it back by itself. Unset (dev): no alias, an update takes all traffic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_codedeploy as codedeploy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from careervp.resources import ENV_VAR_PRE_TRAFFIC_TARGETS, PRE_TRAFFIC_FUNCTION, Function
from constructs import Construct

from careervp_infra.environments import Environment, TrafficShift
from careervp_infra.functions import create_function
from careervp_infra.monitoring import create_function_alarms
from careervp_infra.naming import Service, physical_name

ALIAS_NAME = "live"

DEPLOYMENT_CONFIGS: dict[TrafficShift, codedeploy.ILambdaDeploymentConfig] = {
    "AllAtOnce": codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
    "Canary10Percent5Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_5_MINUTES,
    "Canary10Percent10Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_10_MINUTES,
    "Canary10Percent15Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_15_MINUTES,
    "Canary10Percent30Minutes": codedeploy.LambdaDeploymentConfig.CANARY_10_PERCENT_30_MINUTES,
    "Linear10PercentEvery1Minute": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_1_MINUTE,
    "Linear10PercentEvery2Minutes": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_2_MINUTES,
    "Linear10PercentEvery3Minutes": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_3_MINUTES,
    "Linear10PercentEvery10Minutes": codedeploy.LambdaDeploymentConfig.LINEAR_10_PERCENT_EVERY_10_MINUTES,
}
"""Each registry value to CodeDeploy's predefined configuration of that name."""

CODEDEPLOY_POLICY_REASON = (
    "AWSCodeDeployRoleForLambdaLimited is the AWS managed policy CodeDeploy's Lambda deployments are built "
    "for (CDK attaches it to every LambdaDeploymentGroup's role): it updates aliases and reads alarms, and "
    "invokes only the hooks granted below."
)
HOOK_VERSIONS_REASON = (
    "The pre-traffic hook invokes each function's new version before it takes traffic: its grant names the "
    "function's versions (ARN:*) rather than this deploy's one, so the grant stays the same across deploys "
    "and a change set review flags only real widenings; it reaches no other function."
)
HOOK_INVOKE_REASON = (
    "CDK grants CodeDeploy invoke on the pre-traffic hook as its ARN and ARN:* (every version of that one "
    "function); the hook is the only function this role may invoke."
)


def create_traffic_shifting(
    scope: Construct,
    env: Environment,
    code: lambda_.Code,
    *,
    functions: Mapping[Function, lambda_.Function],
    alarms: Mapping[Function, Sequence[cloudwatch.IAlarm]],
    topic: sns.Topic,
) -> dict[Function, lambda_.IFunction]:
    """What the API should invoke for each function: its `live` alias under a deployment group, or the
    function itself when the environment shifts no traffic."""
    if env.traffic_shift is None:
        return dict(functions)
    application = codedeploy.LambdaApplication(
        scope,
        "DeliveryApplication",
        application_name=physical_name(
            env.name, "delivery", "functions", service=Service.CODEDEPLOY_APPLICATION
        ),
    )
    role = iam.Role(
        scope,
        "DeliveryRole",
        role_name=physical_name(env.name, "delivery", "codedeploy-role", service=Service.IAM_ROLE),
        assumed_by=iam.ServicePrincipal("codedeploy.amazonaws.com"),
        description=f"CodeDeploy shifts traffic between versions of the CareerVP {env.name} functions",
    )
    hook = create_function(scope, env, PRE_TRAFFIC_FUNCTION, code=code, tables={}, buckets={}, secrets={})
    create_function_alarms(scope, env, PRE_TRAFFIC_FUNCTION, hook, topic)
    targets: dict[str, dict[str, str]] = {}
    aliases: dict[Function, lambda_.IFunction] = {}
    groups = []
    for spec, function in functions.items():
        version = function.current_version
        alias = lambda_.Alias(function, "LiveAlias", alias_name=ALIAS_NAME, version=version)
        group_name = physical_name(
            env.name, spec.component, f"{spec.resource}-deploy", service=Service.CODEDEPLOY_DEPLOYMENT_GROUP
        )
        groups.append(
            codedeploy.LambdaDeploymentGroup(
                function,
                "DeploymentGroup",
                application=application,
                alias=alias,
                deployment_group_name=group_name,
                deployment_config=DEPLOYMENT_CONFIGS[env.traffic_shift],
                alarms=list(alarms[spec]),
                auto_rollback=codedeploy.AutoRollbackConfig(
                    failed_deployment=True, stopped_deployment=True, deployment_in_alarm=True
                ),
                pre_hook=hook,
                role=role,
            )
        )
        targets[group_name] = {"component": spec.component, "version": version.function_arn}
        aliases[spec] = alias
    hook.add_environment(ENV_VAR_PRE_TRAFFIC_TARGETS, Stack.of(scope).to_json_string(targets))
    hook.add_to_role_policy(
        iam.PolicyStatement(
            actions=["lambda:InvokeFunction"],
            resources=[f"{function.function_arn}:*" for function in functions.values()],
        )
    )
    hook.add_to_role_policy(
        iam.PolicyStatement(
            actions=["codedeploy:GetDeployment"],
            resources=[group.deployment_group_arn for group in groups],
        )
    )
    Validations.of(cast(iam.Role, hook.role)).acknowledge(
        *(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{_logical_id(function)}.Arn>:*]",
                reason=HOOK_VERSIONS_REASON,
            )
            for function in functions.values()
        )
    )
    Validations.of(role).acknowledge(
        Acknowledgment(
            id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSCodeDeployRoleForLambdaLimited]",
            reason=CODEDEPLOY_POLICY_REASON,
        ),
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{_logical_id(hook)}.Arn>:*]", reason=HOOK_INVOKE_REASON
        ),
    )
    return aliases


def _logical_id(function: lambda_.Function) -> str:
    stack = Stack.of(function)
    return str(stack.resolve(stack.get_logical_id(cast(lambda_.CfnFunction, function.node.default_child))))
