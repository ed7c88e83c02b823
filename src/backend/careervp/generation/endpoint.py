"""What a route that writes with the model shares: the call with its refusals as HTTP answers, the usage as
the API reports it, the Markdown document stored in S3, and the one shape of a generated-document route
(`write_document`, then `api.created`): each route keeps only its prompt and its answer's fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler.exceptions import ServiceError
from pydantic import BaseModel, Field

from careervp.config import bucket_name
from careervp.generation import client
from careervp.generation.key import forget_api_key
from careervp.generation.prompt import Prompt
from careervp.observability import logger
from careervp.resources import Bucket

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

DOCUMENT_CONTENT_TYPE = "text/markdown; charset=utf-8"


class ModelUsage(BaseModel):
    model: str
    input_tokens: int
    output_tokens: int
    estimated_cost_usd: float = Field(description="What the call cost by the model's price list")
    truncated: bool = Field(description="The output allowance ran out: the text ends early")


def generate(prompt: Prompt) -> client.Written:
    """The model's text for `prompt`: a prompt over the cost guard is 413, a model that cannot answer 502;
    a key or model the API refuses is the deployment's defect (ConfigurationError: 500, logged). A refused key
    that was cached is read again once: a deploy may have stored a new one since."""
    try:
        try:
            return client.writer_from_environment().write(prompt)
        except client.KeyRefusedError:
            if not forget_api_key():
                raise
            return client.writer_from_environment().write(prompt)
    except client.CostGuardError as error:
        raise ServiceError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE.value, str(error)) from None
    except (client.ModelUnavailableError, client.ModelRefusedError) as error:
        raise ServiceError(HTTPStatus.BAD_GATEWAY.value, str(error)) from None


def usage_of(written: client.Written) -> ModelUsage:
    return ModelUsage(
        model=written.model,
        input_tokens=written.usage.input_tokens,
        output_tokens=written.usage.output_tokens,
        estimated_cost_usd=round(written.usage.cost_usd, 6),
        truncated=written.truncated,
    )


class DocumentStore:
    """Writes generated documents; a function may put objects into its bucket, never read or list it."""

    def __init__(self, *, bucket: str, s3: S3Client) -> None:
        self._bucket = bucket
        self._s3 = s3

    def put(self, key: str, markdown: str) -> str:
        self._s3.put_object(
            Bucket=self._bucket, Key=key, Body=markdown.encode("utf-8"), ContentType=DOCUMENT_CONTENT_TYPE
        )
        return key


@dataclass(frozen=True)
class WrittenDocument:
    """A document the model wrote for one request, stored under a new id."""

    id: str
    key: str
    text: str
    usage: ModelUsage
    created_at: str


def write_document(
    prompt: Prompt, *, bucket: Bucket, key_of: Callable[[str], str], logged_as: str, id_field: str
) -> WrittenDocument:
    """Generate for `prompt` and store the text at `key_of(new id)` in `bucket`, logging `logged_as` with the
    id under `id_field`. The bucket is named before the model is called, so a misconfigured function fails
    without paying for a call."""
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS)

    documents = DocumentStore(bucket=bucket_name(bucket), s3=aws_clients.s3())
    written = generate(prompt)
    document_id = uuid.uuid4().hex
    key = documents.put(key_of(document_id), written.text)
    logger.info(logged_as, extra={id_field: document_id, "document_key": key})
    return WrittenDocument(
        id=document_id,
        key=key,
        text=written.text,
        usage=usage_of(written),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
