"""Company research results: a summary item in DynamoDB, the full snapshot (page texts) as JSON in S3."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from careervp.object_keys import object_key
from careervp.research.models import CompanyResearch

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client


def snapshot_key(research_id: str) -> str:
    return object_key("research", "snapshots", research_id, "json")


class ResearchStore:
    def __init__(self, *, table: str, bucket: str, dynamodb: DynamoDBClient, s3: S3Client) -> None:
        self._table = table
        self._bucket = bucket
        self._dynamodb = dynamodb
        self._s3 = s3

    def save(self, result: CompanyResearch, texts: dict[str, str]) -> None:
        """The snapshot first, then the item that points at it (an item never names a missing object)."""
        snapshot = {**result.model_dump(), "texts": texts}
        self._s3.put_object(
            Bucket=self._bucket,
            Key=result.snapshot_key,
            Body=json.dumps(snapshot, sort_keys=True).encode(),
            ContentType="application/json",
        )
        self._dynamodb.put_item(
            TableName=self._table,
            Item={"research_id": {"S": result.research_id}, "result": {"S": result.model_dump_json()}},
            ConditionExpression="attribute_not_exists(research_id)",
        )

    def get(self, research_id: str) -> CompanyResearch | None:
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"research_id": {"S": research_id}}, ConsistentRead=True
        ).get("Item")
        return CompanyResearch.model_validate_json(item["result"]["S"]) if item else None
