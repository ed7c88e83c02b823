"""`GET /health`: the running version and whether every table and the bucket answer.

The SPA reads it from the browser on another origin (its CloudFront distribution), so the answer allows
every origin (`Access-Control-Allow-Origin: *`, never with credentials): the endpoint is public and holds no
personal data, so any page may show whether the API is up.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Literal

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel

from careervp.api import create_resolver, lambda_handler, ok_response
from careervp.config import ConfigurationError, bucket_name, environment_name, service_version, table_name
from careervp.observability import logger
from careervp.resources import BUCKETS, HEALTH_FUNCTION, TABLES, Bucket, Table

CORS_HEADERS = {"Access-Control-Allow-Origin": "*"}
"""Any origin may read the public health answer (the SPA's is another origin); no credentials."""
CheckStatus = Literal["ok", "unreachable", "not_configured"]


class DependencyCheck(BaseModel):
    name: str
    status: CheckStatus


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    environment: str
    checks: list[DependencyCheck]


def _probe(name: str, call: Callable[[], object]) -> DependencyCheck:
    """Run one cheap read against a dependency; a failure is reported by kind, never raised."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415  (boto3 loads on the first request that needs AWS, not at import)

    try:
        call()
    except ConfigurationError:
        return DependencyCheck(name=name, status="not_configured")
    except (BotoCoreError, ClientError) as exc:
        logger.warning("dependency check failed", extra={"dependency": name, "error": type(exc).__name__})
        return DependencyCheck(name=name, status="unreachable")
    return DependencyCheck(name=name, status="ok")


def _check_table(table: Table) -> DependencyCheck:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS, not at import)

    return _probe(
        f"table:{table.component}-{table.resource}",
        lambda: aws_clients.dynamodb().describe_table(TableName=table_name(table)),
    )


def _check_bucket(bucket: Bucket) -> DependencyCheck:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS, not at import)

    return _probe(
        f"bucket:{bucket.component}-{bucket.resource}",
        lambda: aws_clients.s3().head_bucket(Bucket=bucket_name(bucket)),
    )


def current_health() -> Health:
    checks = [*(_check_table(table) for table in TABLES), *(_check_bucket(bucket) for bucket in BUCKETS)]
    healthy = all(check.status == "ok" for check in checks)
    return Health(
        status="ok" if healthy else "degraded",
        version=service_version(),
        environment=environment_name(),
        checks=checks,
    )


app = create_resolver()


@app.get(
    "/health",
    summary="Service version and dependency checks",
    responses={
        **ok_response(Health, "Every dependency answers"),
        **ok_response(Health, "A dependency is unreachable", 503),
    },
)
def get_health() -> Response[Health]:
    health = current_health()
    status = HTTPStatus.OK if health.status == "ok" else HTTPStatus.SERVICE_UNAVAILABLE
    return Response(
        status_code=status.value,
        content_type=content_types.APPLICATION_JSON,
        body=health,
        headers=CORS_HEADERS,
    )


handler = lambda_handler(app, function=HEALTH_FUNCTION, max_body_bytes=0)
