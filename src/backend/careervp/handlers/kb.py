"""Knowledge-base routes: upload, list, read and delete documents."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from careervp.api import create_resolver, created, error_responses, lambda_handler, ok_response
from careervp.config import bucket_name, table_name
from careervp.kb.models import (
    ALLOWED_MEDIA_TYPES,
    DOCUMENT_ID_PATTERN,
    MAX_DOCUMENT_BYTES,
    Document,
    DocumentMetadata,
    DocumentPage,
    DocumentUpload,
)
from careervp.kb.store import DocumentStore
from careervp.observability import logger
from careervp.resources import KB_BUCKET, KB_FUNCTION, KB_TABLE

MAX_REQUEST_BYTES = 2 * MAX_DOCUMENT_BYTES
"""Room for the JSON envelope and escaping around a document of the largest allowed size."""

DocumentIdParam = Annotated[str, Path(pattern=DOCUMENT_ID_PATTERN, description="32 lowercase hex digits")]


def _store() -> DocumentStore:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS, not at import)

    return DocumentStore(
        table=table_name(KB_TABLE),
        bucket=bucket_name(KB_BUCKET),
        dynamodb=aws_clients.dynamodb(),
        s3=aws_clients.s3(),
    )


def _refuse_unstorable(upload: DocumentUpload) -> None:
    if upload.media_type not in ALLOWED_MEDIA_TYPES:
        accepted = ", ".join(sorted(ALLOWED_MEDIA_TYPES))
        raise ServiceError(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            f"media_type {upload.media_type!r} is not accepted; use one of {accepted}",
        )
    size = len(upload.content.encode())
    if size > MAX_DOCUMENT_BYTES:
        raise ServiceError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"content is {size} bytes; documents may be at most {MAX_DOCUMENT_BYTES} bytes",
        )


def _not_found(document_id: str) -> NotFoundError:
    return NotFoundError(f"no document with id {document_id!r}")


app = create_resolver()


@app.post(
    "/kb/documents",
    summary="Store a document",
    responses={**ok_response(DocumentMetadata, "Stored", 201), **error_responses(400, 413, 415, 500)},
)
def create_document(upload: Annotated[DocumentUpload, Body()]) -> Response[DocumentMetadata]:
    _refuse_unstorable(upload)
    metadata = _store().create(upload)
    logger.info(
        "document stored", extra={"document_id": metadata.document_id, "size_bytes": metadata.size_bytes}
    )
    return created(metadata, f"/kb/documents/{metadata.document_id}")


@app.get(
    "/kb/documents",
    summary="List documents (metadata only)",
    responses={**ok_response(DocumentPage, "One page of documents"), **error_responses(400, 500)},
)
def list_documents(
    limit: Annotated[int, Query(ge=1, le=100, description="Page size")] = 50,
    next_token: Annotated[str | None, Query(pattern=DOCUMENT_ID_PATTERN)] = None,
) -> DocumentPage:
    return _store().list(limit=limit, next_token=next_token)


@app.get(
    "/kb/documents/<document_id>",
    summary="Read a document",
    responses={**ok_response(Document, "The document and its content"), **error_responses(400, 404, 500)},
)
def get_document(document_id: DocumentIdParam) -> Document:
    document = _store().get(document_id)
    if document is None:
        raise _not_found(document_id)
    return document


@app.delete(
    "/kb/documents/<document_id>",
    summary="Delete a document and its body",
    responses={204: {"description": "Deleted", "content": {}}, **error_responses(400, 404, 500)},
)
def delete_document(document_id: DocumentIdParam) -> Response[Any]:
    if not _store().delete(document_id):
        raise _not_found(document_id)
    logger.info("document deleted", extra={"document_id": document_id})
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


handler = lambda_handler(app, function=KB_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
