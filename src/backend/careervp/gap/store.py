"""Stores candidates' answers to gap-analysis questions, one DynamoDB item per submission."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from careervp.gap.models import Answer, ResponsesRequest, StoredResponses

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class ResponseStore:
    def __init__(self, *, table: str, dynamodb: DynamoDBClient) -> None:
        self._table = table
        self._dynamodb = dynamodb

    def save(self, request: ResponsesRequest) -> StoredResponses:
        stored = StoredResponses(
            response_id=uuid.uuid4().hex,
            analysis_id=request.analysis_id,
            answers=request.answers,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                "response_id": {"S": stored.response_id},
                "analysis_id": {"S": stored.analysis_id},
                "answers": {"S": json.dumps([answer.model_dump() for answer in stored.answers])},
                "created_at": {"S": stored.created_at},
            },
            ConditionExpression="attribute_not_exists(response_id)",
        )
        return stored

    def get(self, response_id: str) -> StoredResponses | None:
        found = self._dynamodb.get_item(
            TableName=self._table, Key={"response_id": {"S": response_id}}, ConsistentRead=True
        )
        item = found.get("Item")
        if not item:
            return None
        return StoredResponses(
            response_id=item["response_id"]["S"],
            analysis_id=item["analysis_id"]["S"],
            answers=[Answer.model_validate(answer) for answer in json.loads(item["answers"]["S"])],
            created_at=item["created_at"]["S"],
        )
