"""Compare what an environment's template declares with what AWS (or the emulator) reports.

`verify_deployed` walks every resource in the synthesized template of `careervp-<env>-service-stack`,
finds its physical id through CloudFormation, and asks the owning service about it. Each resource (and
each setting worth checking) ends as verified, drifted, or not verifiable on this target with a reason;
what the emulator cannot show comes from `careervp_infra.verify.blind_spots`, consulted only for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from careervp_infra.service_stack import stack_name
from careervp_infra.verify.blind_spots import ignored_setting_reason, unobservable_reason
from careervp_infra.verify.report import Check, Outcome, VerificationReport

COMPLETE_STATUSES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
MISSING_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "NoSuchBucket",
        "NoSuchEntity",
        "NotFoundException",
        "NotFound",
        "404",
        "NoSuchPublicAccessBlockConfiguration",
        "ServerSideEncryptionConfigurationNotFoundError",
        "NoSuchBucketPolicy",
        "NotFound.Exception",
        "ValidationError",
    }
)


class Drift(Exception):
    """Raised inside a checker when AWS shows something other than the template declares."""


@dataclass
class Context:
    """What a checker needs: the clients, the template, and CloudFormation's physical ids."""

    session: boto3.Session
    endpoint_url: str | None
    template: Mapping[str, Any]
    physical_ids: dict[str, str]
    emulator: bool
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url)  # type: ignore[call-overload]
        return self._clients[service]

    def physical_of(self, reference: Any) -> str:
        """The physical id of a `{"Ref": logical id}` in the template."""
        if isinstance(reference, Mapping) and "Ref" in reference:
            return self.physical_ids.get(reference["Ref"], "")
        return str(reference)


@dataclass(frozen=True)
class Declared:
    logical_id: str
    resource_type: str
    properties: Mapping[str, Any]
    physical_id: str


Checker = Callable[[Context, Declared], list[Check]]


def verify_deployed(
    env: str,
    assembly: Path,
    *,
    session: boto3.Session | None = None,
    endpoint_url: str | None = None,
    emulator: bool | None = None,
) -> VerificationReport:
    """Check every resource of `env`'s template against the target.

    The target is AWS, or the endpoint given (default: `AWS_ENDPOINT_URL`). An endpoint is taken to be the
    emulator, whose known limits then apply, unless `emulator=False` says it is a faithful AWS endpoint.
    """
    environment = load_environments().get_stack(env)
    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    emulator = endpoint_url is not None if emulator is None else emulator
    session = session or boto3.Session(region_name=environment.region)
    name = stack_name(env)
    template = find_stack(assembly, name).load()
    target = (
        f"emulator at {endpoint_url}" if emulator else f"aws{f' at {endpoint_url}' if endpoint_url else ''}"
    )
    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    try:
        paginator = cloudformation.get_paginator("list_stack_resources")
        summaries = [
            item for page in paginator.paginate(StackName=name) for item in page["StackResourceSummaries"]
        ]
    except ClientError as error:
        missing = Check(name, "AWS::CloudFormation::Stack", "exists", Outcome.DRIFTED, _error_text(error))
        return VerificationReport(env, name, target, (missing,))
    statuses = {item["LogicalResourceId"]: item["ResourceStatus"] for item in summaries}
    context = Context(
        session=session,
        endpoint_url=endpoint_url,
        template=template,
        physical_ids={item["LogicalResourceId"]: item.get("PhysicalResourceId", "") for item in summaries},
        emulator=emulator,
    )
    checks: list[Check] = []
    for logical_id, resource in template.get("Resources", {}).items():
        declared = Declared(
            logical_id,
            resource["Type"],
            resource.get("Properties", {}),
            context.physical_ids.get(logical_id, ""),
        )
        checks.extend(_verify_resource(context, declared, statuses.get(logical_id)))
    return VerificationReport(env, name, target, tuple(checks))


def _verify_resource(context: Context, declared: Declared, status: str | None) -> list[Check]:
    def single(outcome: Outcome, detail: str) -> list[Check]:
        return [Check(declared.logical_id, declared.resource_type, "exists", outcome, detail)]

    if context.emulator and (reason := unobservable_reason(declared.resource_type)):
        return single(Outcome.NOT_VERIFIABLE, reason)
    if status is None:
        return single(Outcome.DRIFTED, "CloudFormation does not list it in the stack")
    if status not in COMPLETE_STATUSES:
        return single(Outcome.DRIFTED, f"CloudFormation reports {status}")
    checker = CHECKERS.get(declared.resource_type)
    if checker is None:
        return single(
            Outcome.NOT_VERIFIABLE,
            f"no direct check for {declared.resource_type}; only CloudFormation's {status} vouches for it",
        )
    try:
        return checker(context, declared)
    except ClientError as error:
        outcome = Outcome.DRIFTED if _error_code(error) in MISSING_CODES else Outcome.NOT_VERIFIABLE
        return single(outcome, _error_text(error))
    except Drift as drift:
        return single(Outcome.DRIFTED, str(drift))
    except BotoCoreError as error:
        return single(Outcome.NOT_VERIFIABLE, f"the target could not answer: {error}")


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _error_text(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return f"{details.get('Code', 'error')}: {details.get('Message', '')}".strip()


def _expect(what: str, declared: object, observed: object) -> None:
    if declared != observed:
        raise Drift(f"{what}: template declares {declared!r}, target has {observed!r}")


def _setting(
    context: Context, declared: Declared, setting: str, observe: Callable[[], tuple[bool, str]]
) -> Check:
    """One setting of a resource: not verifiable on the emulator when it ignores it, else observed."""
    if context.emulator and (reason := ignored_setting_reason(declared.resource_type, setting)):
        return Check(declared.logical_id, declared.resource_type, setting, Outcome.NOT_VERIFIABLE, reason)
    try:
        matches, detail = observe()
    except ClientError as error:
        matches, detail = False, _error_text(error)
    outcome = Outcome.VERIFIED if matches else Outcome.DRIFTED
    return Check(declared.logical_id, declared.resource_type, setting, outcome, detail)


def _exists(declared: Declared, detail: str) -> Check:
    return Check(declared.logical_id, declared.resource_type, "exists", Outcome.VERIFIED, detail)


def _check_table(context: Context, declared: Declared) -> list[Check]:
    table = context.client("dynamodb").describe_table(TableName=declared.physical_id)["Table"]
    keys = sorted((key["AttributeName"], key["KeyType"]) for key in declared.properties["KeySchema"])
    _expect("key schema", keys, sorted((key["AttributeName"], key["KeyType"]) for key in table["KeySchema"]))
    billing = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    _expect("billing mode", declared.properties.get("BillingMode", "PROVISIONED"), billing)

    def pitr() -> tuple[bool, str]:
        backups = context.client("dynamodb").describe_continuous_backups(TableName=declared.physical_id)
        status = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        return status["PointInTimeRecoveryStatus"] == "ENABLED", f"PITR {status['PointInTimeRecoveryStatus']}"

    return [
        _exists(declared, f"{declared.physical_id}: keys and {billing} match"),
        _setting(context, declared, "point-in-time recovery", pitr),
    ]


def _check_bucket(context: Context, declared: Declared) -> list[Check]:
    s3 = context.client("s3")
    bucket = declared.physical_id
    s3.head_bucket(Bucket=bucket)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    algorithms = sorted(rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for rule in rules)
    declared_rules = declared.properties.get("BucketEncryption", {}).get(
        "ServerSideEncryptionConfiguration", []
    )
    _expect(
        "encryption",
        sorted(rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for rule in declared_rules),
        algorithms,
    )
    checks = [_exists(declared, f"{bucket}: encrypted with {', '.join(algorithms)}")]

    def public_access_block() -> tuple[bool, str]:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        return all(block.values()) and len(block) == 4, f"public access block {block}"

    if "PublicAccessBlockConfiguration" in declared.properties:
        checks.append(_setting(context, declared, "public access block", public_access_block))
    if declared.properties.get("VersioningConfiguration", {}).get("Status") == "Enabled":

        def versioning() -> tuple[bool, str]:
            status = s3.get_bucket_versioning(Bucket=bucket).get("Status", "never enabled")
            return status == "Enabled", f"versioning {status}"

        checks.append(_setting(context, declared, "versioning", versioning))
    return checks


def _check_function(context: Context, declared: Declared) -> list[Check]:
    config = context.client("lambda").get_function_configuration(FunctionName=declared.physical_id)
    _expect("runtime", declared.properties.get("Runtime"), config.get("Runtime"))
    _expect("handler", declared.properties.get("Handler"), config.get("Handler"))
    declared_vars = sorted(declared.properties.get("Environment", {}).get("Variables", {}))
    _expect(
        "environment variable names",
        declared_vars,
        sorted(config.get("Environment", {}).get("Variables", {})),
    )
    checks = [_exists(declared, f"{declared.physical_id}: runtime, handler and environment match")]
    log_group = declared.properties.get("LoggingConfig", {}).get("LogGroup")
    if log_group is not None:
        expected = context.physical_of(log_group)

        def bound_log_group() -> tuple[bool, str]:
            observed = (config.get("LoggingConfig") or {}).get("LogGroup")
            return observed == expected, f"writes to {observed!r} (template: {expected!r})"

        checks.append(_setting(context, declared, "log group", bound_log_group))
    return checks


def _check_alias(context: Context, declared: Declared) -> list[Check]:
    """The alias exists on its function and serves the version the template publishes (after a deploy,
    CodeDeploy has moved all of its traffic there; a rolled-back deploy leaves the stack on the old one)."""
    function = context.physical_of(declared.properties.get("FunctionName"))
    alias = context.client("lambda").get_alias(FunctionName=function, Name=declared.properties["Name"])
    checks = [_exists(declared, f"{alias['AliasArn']}")]
    version = declared.properties.get("FunctionVersion")
    if isinstance(version, Mapping) and "Fn::GetAtt" in version:
        expected = context.physical_ids.get(version["Fn::GetAtt"][0], "").rsplit(":", 1)[-1]

        def serves_the_published_version() -> tuple[bool, str]:
            observed = alias.get("FunctionVersion")
            shifting = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights")
            detail = f"serves version {observed} (template: {expected})"
            return observed == expected and not shifting, detail + (
                f", shifting {shifting}" if shifting else ""
            )

        checks.append(_setting(context, declared, "version", serves_the_published_version))
    return checks


def _check_log_group(context: Context, declared: Declared) -> list[Check]:
    name = declared.physical_id
    groups = context.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    group = next((item for item in groups if item["logGroupName"] == name), None)
    if group is None:
        raise Drift(f"log group {name} does not exist")
    _expect("retention (days)", declared.properties.get("RetentionInDays"), group.get("retentionInDays"))
    return [_exists(declared, f"{name}: retention {group.get('retentionInDays')} days")]


def _check_role(context: Context, declared: Declared) -> list[Check]:
    role = context.client("iam").get_role(RoleName=declared.physical_id)["Role"]
    return [_exists(declared, f"{role['Arn']}")]


def _check_policy(context: Context, declared: Declared) -> list[Check]:
    iam = context.client("iam")
    policy_name = declared.properties["PolicyName"]
    declared_actions = sorted(
        action
        for statement in declared.properties["PolicyDocument"]["Statement"]
        for action in _as_list(statement.get("Action"))
    )
    for role in declared.properties.get("Roles", []):
        document = iam.get_role_policy(RoleName=context.physical_of(role), PolicyName=policy_name)
        statements = _as_list(document["PolicyDocument"].get("Statement"))
        observed = sorted(action for statement in statements for action in _as_list(statement.get("Action")))
        _expect("allowed actions", declared_actions, observed)
    return [_exists(declared, f"{policy_name}: {len(declared_actions)} allowed actions match")]


def _check_rest_api(context: Context, declared: Declared) -> list[Check]:
    api = context.client("apigateway").get_rest_api(restApiId=declared.physical_id)
    _expect("name", declared.properties.get("Name"), api.get("name"))
    return [_exists(declared, f"{api['name']} ({api['id']})")]


def _rest_api_id(context: Context, declared: Declared) -> str:
    return context.physical_of(declared.properties["RestApiId"])


def _check_api_resource(context: Context, declared: Declared) -> list[Check]:
    resource = context.client("apigateway").get_resource(
        restApiId=_rest_api_id(context, declared), resourceId=declared.physical_id
    )
    _expect("path part", declared.properties.get("PathPart"), resource.get("pathPart"))
    return [_exists(declared, resource.get("path", ""))]


def _check_api_method(context: Context, declared: Declared) -> list[Check]:
    api_id = _rest_api_id(context, declared)
    apigateway = context.client("apigateway")
    resource_ref = declared.properties["ResourceId"]
    if isinstance(resource_ref, Mapping) and "Fn::GetAtt" in resource_ref:
        resource_id = apigateway.get_rest_api(restApiId=api_id)["rootResourceId"]
    else:
        resource_id = context.physical_of(resource_ref)
    method = declared.properties["HttpMethod"]
    apigateway.get_method(restApiId=api_id, resourceId=resource_id, httpMethod=method)
    path = apigateway.get_resource(restApiId=api_id, resourceId=resource_id).get("path", resource_id)
    return [_exists(declared, f"{method} {path}")]


def _check_stage(context: Context, declared: Declared) -> list[Check]:
    stage = context.client("apigateway").get_stage(
        restApiId=_rest_api_id(context, declared), stageName=declared.physical_id
    )
    if "AccessLogSetting" in declared.properties and not stage.get("accessLogSettings", {}).get(
        "destinationArn"
    ):
        raise Drift(f"stage {declared.physical_id} has no access log destination")
    return [_exists(declared, f"stage {stage['stageName']}")]


def _check_topic(context: Context, declared: Declared) -> list[Check]:
    attributes = context.client("sns").get_topic_attributes(TopicArn=declared.physical_id)["Attributes"]
    if "KmsMasterKeyId" in declared.properties and not attributes.get("KmsMasterKeyId"):
        raise Drift("topic is not encrypted with a KMS key")
    return [_exists(declared, declared.physical_id)]


def _check_key(context: Context, declared: Declared) -> list[Check]:
    kms = context.client("kms")
    metadata = kms.describe_key(KeyId=declared.physical_id)["KeyMetadata"]
    _expect("key state", "Enabled", metadata.get("KeyState"))
    checks = [_exists(declared, f"key {metadata['KeyId']} enabled")]
    if declared.properties.get("EnableKeyRotation"):

        def rotation() -> tuple[bool, str]:
            enabled = kms.get_key_rotation_status(KeyId=declared.physical_id)["KeyRotationEnabled"]
            return bool(enabled), f"rotation {'enabled' if enabled else 'disabled'}"

        checks.append(_setting(context, declared, "key rotation", rotation))
    return checks


def _check_alarm(context: Context, declared: Declared) -> list[Check]:
    alarms = context.client("cloudwatch").describe_alarms(AlarmNames=[declared.physical_id])["MetricAlarms"]
    if not alarms:
        raise Drift(f"alarm {declared.physical_id} does not exist")
    _expect("threshold", float(declared.properties.get("Threshold", 0)), float(alarms[0].get("Threshold", 0)))
    return [_exists(declared, declared.physical_id)]


def _check_budget(context: Context, declared: Declared) -> list[Check]:
    account = context.client("sts").get_caller_identity()["Account"]
    name = declared.properties["Budget"]["BudgetName"]
    budget = context.client("budgets").describe_budget(AccountId=account, BudgetName=name)["Budget"]
    declared_limit = float(declared.properties["Budget"]["BudgetLimit"]["Amount"])
    _expect("monthly limit", declared_limit, float(budget["BudgetLimit"]["Amount"]))
    return [_exists(declared, f"{name}: {declared_limit:g} USD a month")]


def _check_bucket_policy(context: Context, declared: Declared) -> list[Check]:
    bucket = context.physical_of(declared.properties["Bucket"])
    policy = context.client("s3").get_bucket_policy(Bucket=bucket)["Policy"]
    if "aws:SecureTransport" not in policy:
        raise Drift(f"the policy of {bucket} does not deny requests without TLS")
    return [_exists(declared, f"{bucket}: TLS-only policy in place")]


def _check_events_rule(context: Context, declared: Declared) -> list[Check]:
    """The schedule, its state, and that it starts exactly the functions the template names."""
    events = context.client("events")
    rule = events.describe_rule(Name=declared.physical_id)
    _expect("schedule", declared.properties.get("ScheduleExpression"), rule.get("ScheduleExpression"))
    _expect("state", declared.properties.get("State", "ENABLED"), rule.get("State"))
    observed = events.list_targets_by_rule(Rule=declared.physical_id)["Targets"]
    expected = sorted(
        _function_of(context, target["Arn"]) for target in declared.properties.get("Targets", [])
    )
    _expect("targets", expected, sorted(target["Arn"].rsplit(":", 1)[-1] for target in observed))
    return [
        _exists(
            declared, f"{declared.physical_id}: {rule.get('ScheduleExpression')} -> {', '.join(expected)}"
        )
    ]


def _function_of(context: Context, arn: Any) -> str:
    """The function name a target's `Fn::GetAtt [function, Arn]` resolves to."""
    if isinstance(arn, Mapping) and "Fn::GetAtt" in arn:
        return context.physical_ids.get(arn["Fn::GetAtt"][0], "")
    return str(arn).rsplit(":", 1)[-1]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


CHECKERS: dict[str, Checker] = {
    "AWS::DynamoDB::Table": _check_table,
    "AWS::S3::Bucket": _check_bucket,
    "AWS::S3::BucketPolicy": _check_bucket_policy,
    "AWS::Lambda::Function": _check_function,
    "AWS::Lambda::Alias": _check_alias,
    "AWS::Logs::LogGroup": _check_log_group,
    "AWS::IAM::Role": _check_role,
    "AWS::IAM::Policy": _check_policy,
    "AWS::ApiGateway::RestApi": _check_rest_api,
    "AWS::ApiGateway::Resource": _check_api_resource,
    "AWS::ApiGateway::Method": _check_api_method,
    "AWS::ApiGateway::Stage": _check_stage,
    "AWS::SNS::Topic": _check_topic,
    "AWS::KMS::Key": _check_key,
    "AWS::CloudWatch::Alarm": _check_alarm,
    "AWS::Budgets::Budget": _check_budget,
    "AWS::Events::Rule": _check_events_rule,
}
"""Resource type -> how to ask its service about it. Types not listed are reported not verifiable."""
