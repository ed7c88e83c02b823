"""boto3 clients, created once per endpoint and reused across invocations (Lambda keeps them warm).

The cache key includes the endpoint and region read from the environment, so a process that points at
different AWS emulators over its lifetime (tests) never reuses a client bound to the wrong one.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client

_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
_clients: dict[tuple[str, ...], Any] = {}
_lock = threading.Lock()


def _client(service: str) -> Any:
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL", "")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "")
    key = (service, endpoint, region, os.environ.get("AWS_ACCESS_KEY_ID", ""))
    with _lock:
        if key not in _clients:
            _clients[key] = boto3.session.Session().client(service, config=_CLIENT_CONFIG)  # type: ignore[call-overload]
        return _clients[key]


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def s3() -> S3Client:
    client: S3Client = _client("s3")
    return client


def secretsmanager() -> Any:
    """Untyped: the project's boto3-stubs extras do not include Secrets Manager."""
    return _client("secretsmanager")


def ses() -> Any:
    """Untyped: the project's boto3-stubs extras do not include SES."""
    return _client("ses")


def lambda_() -> Any:
    """Untyped: the backend's clients are typed only where its handlers' data lives."""
    return _client("lambda")


def codedeploy() -> Any:
    """Untyped: the project's boto3-stubs extras do not include CodeDeploy."""
    return _client("codedeploy")
