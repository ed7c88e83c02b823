"""What a route that writes with the model shares: the call with its refusals as HTTP answers, the usage as
the API reports it, and the Markdown document stored in S3."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler.exceptions import ServiceError
from pydantic import BaseModel, Field

from careervp.generation import client
from careervp.generation.key import forget_api_key
from careervp.generation.prompt import Prompt

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
