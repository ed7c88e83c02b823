"""Check that an environment's synthesized template declares everything the service needs.

Derived from `careervp.resources` and the naming module, so a table, bucket, function or route that is
added there but not built into the stack (or built wrong) shows up as drifted before anything deploys.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from careervp.resources import BUCKETS, FUNCTIONS, TABLES

from careervp_infra.cloud_assembly import find_stack
from careervp_infra.environments import load_environments
from careervp_infra.functions import RUNTIME
from careervp_infra.naming import physical_name
from careervp_infra.service_stack import stack_name
from careervp_infra.verify.observability import observability_problems
from careervp_infra.verify.report import Check, Outcome, VerificationReport

REQUIRED_OUTPUTS = ("ApiUrl", "KbTableName", "GapTableName", "BillingTableName", "KbBucketName")


def verify_synth(env: str, assembly: Path) -> VerificationReport:
    """Every expectation about `env`'s template, each verified or drifted."""
    load_environments().get_stack(env)
    name = stack_name(env)
    template = find_stack(assembly, name).load()
    resources: Mapping[str, Any] = template.get("Resources", {})
    checks = [
        *_tables(env, resources),
        *_buckets(env, resources),
        *_functions(env, resources, template),
        *_routes(resources),
        *_outputs(template),
    ]
    return VerificationReport(env, name, "synth", tuple(checks))


def _named(
    resources: Mapping[str, Any], resource_type: str, key: str, name: str
) -> tuple[str, Mapping[str, Any]]:
    for logical_id, resource in resources.items():
        if resource.get("Type") == resource_type and resource.get("Properties", {}).get(key) == name:
            return logical_id, resource.get("Properties", {})
    return "", {}


def _check(logical_id: str, resource_type: str, aspect: str, problems: list[str], ok_detail: str) -> Check:
    if problems:
        return Check(logical_id or "(missing)", resource_type, aspect, Outcome.DRIFTED, "; ".join(problems))
    return Check(logical_id, resource_type, aspect, Outcome.VERIFIED, ok_detail)


def _tables(env: str, resources: Mapping[str, Any]) -> Iterator[Check]:
    for table in TABLES:
        name = physical_name(env, table.component, table.resource)
        logical_id, properties = _named(resources, "AWS::DynamoDB::Table", "TableName", name)
        problems = [] if logical_id else [f"no table named {name}"]
        if logical_id and properties.get("BillingMode") != "PAY_PER_REQUEST":
            problems.append(f"billing mode {properties.get('BillingMode')!r}, expected PAY_PER_REQUEST")
        pitr = properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
        if logical_id and pitr is not True:
            problems.append("point-in-time recovery is not enabled")
        yield _check(logical_id, "AWS::DynamoDB::Table", "declared", problems, f"{name}: on-demand, PITR")


def _buckets(env: str, resources: Mapping[str, Any]) -> Iterator[Check]:
    for bucket in BUCKETS:
        name = physical_name(env, bucket.component, bucket.resource)
        logical_id, properties = _named(resources, "AWS::S3::Bucket", "BucketName", name)
        problems = [] if logical_id else [f"no bucket named {name}"]
        if logical_id:
            if not properties.get("BucketEncryption"):
                problems.append("no default encryption")
            block = properties.get("PublicAccessBlockConfiguration", {})
            if len(block) != 4 or not all(block.values()):
                problems.append(f"public access is not fully blocked ({block})")
            if not _has_tls_only_policy(resources, logical_id):
                problems.append("no bucket policy denying requests without TLS")
        yield _check(
            logical_id, "AWS::S3::Bucket", "declared", problems, f"{name}: encrypted, private, TLS only"
        )


def _has_tls_only_policy(resources: Mapping[str, Any], bucket_id: str) -> bool:
    for resource in resources.values():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::S3::BucketPolicy" and properties.get("Bucket") == {"Ref": bucket_id}:
            for statement in properties.get("PolicyDocument", {}).get("Statement", []):
                condition = statement.get("Condition", {}).get("Bool", {})
                if statement.get("Effect") == "Deny" and condition.get("aws:SecureTransport") == "false":
                    return True
    return False


def _functions(env: str, resources: Mapping[str, Any], template: Mapping[str, Any]) -> Iterator[Check]:
    observability = observability_problems(template)
    for spec in FUNCTIONS:
        name = physical_name(env, spec.component, spec.resource)
        logical_id, properties = _named(resources, "AWS::Lambda::Function", "FunctionName", name)
        problems = [] if logical_id else [f"no function named {name}"]
        if logical_id:
            if properties.get("Runtime") != RUNTIME.name:
                problems.append(f"runtime {properties.get('Runtime')!r}, expected {RUNTIME.name}")
            if properties.get("Handler") != spec.handler:
                problems.append(f"handler {properties.get('Handler')!r}, expected {spec.handler}")
            missing = sorted(set(spec.env_vars) - set(properties.get("Environment", {}).get("Variables", {})))
            if missing:
                problems.append(f"environment variables not set: {', '.join(missing)}")
            problems.extend(problem for problem in observability if problem.startswith(f"{logical_id}:"))
        yield _check(
            logical_id, "AWS::Lambda::Function", "declared", problems, f"{name}: log group and alarms"
        )


def _routes(resources: Mapping[str, Any]) -> Iterator[Check]:
    declared = set(_declared_routes(resources))
    for spec in FUNCTIONS:
        for route in spec.routes:
            problems = [] if (route.method, route.path) in declared else ["no such method in the REST API"]
            yield _check(
                f"{route.method} {route.path}", "AWS::ApiGateway::Method", "route", problems, "declared"
            )


def _declared_routes(resources: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    def path_of(reference: Any) -> str:
        if isinstance(reference, Mapping) and "Ref" in reference:
            resource = resources[reference["Ref"]]["Properties"]
            parent = path_of(resource["ParentId"])
            return f"{parent.rstrip('/')}/{resource['PathPart']}"
        return "/"

    for resource in resources.values():
        if resource.get("Type") == "AWS::ApiGateway::Method":
            properties = resource.get("Properties", {})
            yield properties.get("HttpMethod", ""), path_of(properties.get("ResourceId"))


def _outputs(template: Mapping[str, Any]) -> Iterator[Check]:
    outputs = template.get("Outputs", {})
    for output in REQUIRED_OUTPUTS:
        problems = [] if output in outputs else ["the stack does not export this output"]
        yield _check(output, "Output", "declared", problems, "declared")
