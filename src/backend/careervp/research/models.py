"""Company-research payloads at the API edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from careervp.text import REQUEST_MODEL_CONFIG, STRIPPED, not_blank

RESEARCH_ID_PATTERN = r"^[0-9a-f]{32}$"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
WEBSITE_PATTERN = rf"^https?://(?:{_LABEL}\.)*{_LABEL}(?::{_PORT})?(?:[/?#][!-~]*)?$"
"""What a research can fetch: an http(s) URL whose host is DNS labels (1-63 letters, digits, hyphens; an IDN
in its xn-- form), an optional port 1-65535, then printable ASCII (percent-encode the rest). The contract
states it, so a URL the fetcher could not send is refused by validation (400), never half-way."""


class CompanyResearchRequest(BaseModel):
    model_config = REQUEST_MODEL_CONFIG
    company_name: Annotated[str, not_blank(200), STRIPPED]
    website: Annotated[str, StringConstraints(pattern=WEBSITE_PATTERN, max_length=2048)] = Field(
        description="The company's own site (http or https); only pages on it are fetched. A site research "
        "may not fetch (a non-public address, robots.txt) is 422; one that cannot be resolved or reached, 502"
    )


class ResearchedPage(BaseModel):
    url: str
    title: str
    description: str
    headings: list[str]


class CompanyResearch(BaseModel):
    research_id: str
    company_name: str
    website: str
    summary: str
    keywords: list[str]
    pages: list[ResearchedPage]
    skipped: list[str] = Field(description="Pages not read, each with why (robots.txt, errors)")
    snapshot_key: str = Field(description="Where the full research (page texts included) is stored in S3")
    created_at: str
