"""Stores knowledge-base documents: body in S3 (`documents/<id>`), metadata in DynamoDB.

Writes go body first, then metadata; deletes go body first, then metadata. Either way a failure half-way
leaves nothing a reader can see as a document without its body, and retrying the operation completes it.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from careervp.kb.models import Document, DocumentMetadata, DocumentPage, DocumentUpload

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef
    from mypy_boto3_s3 import S3Client


def object_key(document_id: str) -> str:
    return f"documents/{document_id}"


def _to_item(metadata: DocumentMetadata) -> dict[str, AttributeValueTypeDef]:
    return {
        "document_id": {"S": metadata.document_id},
        "title": {"S": metadata.title},
        "media_type": {"S": metadata.media_type},
        "size_bytes": {"N": str(metadata.size_bytes)},
        "sha256": {"S": metadata.sha256},
        "created_at": {"S": metadata.created_at},
        "s3_key": {"S": object_key(metadata.document_id)},
    }


def _from_item(item: dict[str, AttributeValueTypeDef]) -> DocumentMetadata:
    return DocumentMetadata(
        document_id=item["document_id"]["S"],
        title=item["title"]["S"],
        media_type=item["media_type"]["S"],
        size_bytes=int(item["size_bytes"]["N"]),
        sha256=item["sha256"]["S"],
        created_at=item["created_at"]["S"],
    )


class DocumentStore:
    def __init__(self, *, table: str, bucket: str, dynamodb: DynamoDBClient, s3: S3Client) -> None:
        self._table = table
        self._bucket = bucket
        self._dynamodb = dynamodb
        self._s3 = s3

    def create(self, upload: DocumentUpload) -> DocumentMetadata:
        body = upload.content.encode()
        metadata = DocumentMetadata(
            document_id=uuid.uuid4().hex,
            title=upload.title,
            media_type=upload.media_type,
            size_bytes=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self._s3.put_object(
            Bucket=self._bucket,
            Key=object_key(metadata.document_id),
            Body=body,
            ContentType=f"{metadata.media_type}; charset=utf-8",
        )
        self._dynamodb.put_item(
            TableName=self._table,
            Item=_to_item(metadata),
            ConditionExpression="attribute_not_exists(document_id)",
        )
        return metadata

    def metadata(self, document_id: str) -> DocumentMetadata | None:
        found = self._dynamodb.get_item(
            TableName=self._table, Key={"document_id": {"S": document_id}}, ConsistentRead=True
        )
        item = found.get("Item")
        return _from_item(item) if item else None

    def get(self, document_id: str) -> Document | None:
        metadata = self.metadata(document_id)
        if metadata is None:
            return None
        try:
            stored = self._s3.get_object(Bucket=self._bucket, Key=object_key(document_id))
        except self._s3.exceptions.NoSuchKey:
            return None
        content = stored["Body"].read().decode()
        return Document(**metadata.model_dump(), content=content)

    def list(self, *, limit: int, next_token: str | None) -> DocumentPage:
        if next_token:
            page = self._dynamodb.scan(
                TableName=self._table, Limit=limit, ExclusiveStartKey={"document_id": {"S": next_token}}
            )
        else:
            page = self._dynamodb.scan(TableName=self._table, Limit=limit)
        documents = sorted(
            (_from_item(item) for item in page.get("Items", [])),
            key=lambda document: (document.created_at, document.document_id),
        )
        last_key = page.get("LastEvaluatedKey")
        token = last_key["document_id"]["S"] if last_key else None
        return DocumentPage(documents=documents, next_token=token)

    def delete(self, document_id: str) -> bool:
        """Remove the document's body and metadata; False when there was no such document."""
        if self.metadata(document_id) is None:
            return False
        self._s3.delete_object(Bucket=self._bucket, Key=object_key(document_id))
        self._dynamodb.delete_item(TableName=self._table, Key={"document_id": {"S": document_id}})
        return True
