"""What a route that writes with the model shares: the call with its refusals as HTTP answers, the usage as
the API reports it, the Markdown document stored in S3, and the one shape of a generated-document route
(`document_route`, `write_document`, then `api.created` of `WrittenDocument.answer`): each route keeps only
its path, its prompt, where its kind of document is kept and its answer's own fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.exceptions import ServiceError
from pydantic import BaseModel, Field

from careervp.api import error_responses, ok_response
from careervp.config import bucket_name
from careervp.generation import client
from careervp.generation.key import forget_api_key
from careervp.generation.prompt import Prompt
from careervp.observability import logger
from careervp.resources import Bucket

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

DOCUMENT_CONTENT_TYPE = "text/markdown; charset=utf-8"
DOCUMENT_REQUEST_BYTES = 128 * 1024
"""Room for the longest valid request (a CV, a job description and a few short fields) with every character
JSON-escaped (\\uXXXX: 6 bytes)."""
DOCUMENT_ERRORS = (400, 413, 415, 500, 502)
"""Bad input, a body or prompt too large, a body not JSON, a misconfigured function, a model that cannot
answer."""


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
class Documents:
    """One kind of generated document: where it is stored, what its writing is logged as, and the name of
    its id in the log and in the route's answer."""

    bucket: Bucket
    key_of: Callable[[str], str]
    logged_as: str
    id_field: str


@dataclass(frozen=True)
class WrittenDocument:
    """A document the model wrote for one request, stored under a new id."""

    kind: Documents
    id: str
    key: str
    text: str
    usage: ModelUsage
    created_at: str

    def answer[M: BaseModel](self, model: type[M], **fields: Any) -> M:
        """The route's answer: this document (its id under the kind's id field) and the route's `fields`."""
        return model(
            **{self.kind.id_field: self.id},
            document_key=self.key,
            content=self.text,
            usage=self.usage,
            created_at=self.created_at,
            **fields,
        )


def document_route[F: Callable[..., Any]](
    app: APIGatewayRestResolver, path: str, *, summary: str, answer: type[BaseModel], described: str
) -> Callable[[F], F]:
    """`POST path` on `app`, answered 201 with `answer` (`described`) or one of `DOCUMENT_ERRORS`."""
    return app.post(
        path,
        summary=summary,
        responses={**ok_response(answer, described, 201), **error_responses(*DOCUMENT_ERRORS)},
    )


def write_document(prompt: Prompt, kind: Documents) -> WrittenDocument:
    """Generate for `prompt` and store the text at `kind.key_of(new id)` in `kind.bucket`, logged as
    `kind.logged_as` with the id under `kind.id_field`. The bucket is named before the model is called, so a
    misconfigured function fails without paying for a call."""
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS)

    documents = DocumentStore(bucket=bucket_name(kind.bucket), s3=aws_clients.s3())
    written = generate(prompt)
    document_id = uuid.uuid4().hex
    key = documents.put(kind.key_of(document_id), written.text)
    logger.info(kind.logged_as, extra={kind.id_field: document_id, "document_key": key})
    return WrittenDocument(
        kind=kind,
        id=document_id,
        key=key,
        text=written.text,
        usage=usage_of(written),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
