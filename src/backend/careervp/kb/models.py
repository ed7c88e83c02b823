"""Knowledge-base payloads at the API edge, and the limits they must respect."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints
from pydantic.config import JsonDict

from careervp.text import LOWERED, REQUEST_MODEL_CONFIG, STRIPPED, not_blank

MAX_DOCUMENT_BYTES = 256 * 1024
"""Largest document body (UTF-8 bytes) the knowledge base stores."""
ALLOWED_MEDIA_TYPES = frozenset({"text/plain", "text/markdown", "text/csv", "text/html"})
DOCUMENT_ID_PATTERN = r"^[0-9a-f]{32}$"

DocumentId = Annotated[str, StringConstraints(pattern=DOCUMENT_ID_PATTERN)]
MEDIA_TYPE_ENUM: JsonDict = {"enum": [*sorted(ALLOWED_MEDIA_TYPES)]}
"""The accepted media types as a schema enum. Validation stays in the handler: any other value is a 415
(not a 400), and a value compares case-insensitively (`Text/Plain` is stored as `text/plain`)."""


class DocumentUpload(BaseModel):
    """A new document: its title, its media type and its text."""

    model_config = REQUEST_MODEL_CONFIG

    title: Annotated[str, not_blank(200), STRIPPED]
    media_type: Annotated[str, StringConstraints(max_length=100), LOWERED] = Field(
        description="Compared case-insensitively; any other value is refused with 415",
        examples=["text/markdown"],
        json_schema_extra=MEDIA_TYPE_ENUM,
    )
    content: Annotated[str, StringConstraints(min_length=1)] = Field(
        description=f"The document's text, at most {MAX_DOCUMENT_BYTES} bytes in UTF-8"
    )


class DocumentMetadata(BaseModel):
    document_id: DocumentId
    title: str
    media_type: str = Field(json_schema_extra=MEDIA_TYPE_ENUM)
    size_bytes: int
    sha256: str
    created_at: str = Field(description="ISO 8601, UTC")


class Document(DocumentMetadata):
    content: str


class DocumentPage(BaseModel):
    documents: list[DocumentMetadata]
    next_token: DocumentId | None = Field(
        default=None, description="Pass as `next_token` to read the next page; absent on the last page"
    )
