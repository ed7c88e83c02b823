"""Company-research payloads at the API edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

RESEARCH_ID_PATTERN = r"^[0-9a-f]{32}$"


class CompanyResearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    website: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^https?://", max_length=2048)
    ] = Field(description="The company's own site (http or https); only pages on it are fetched")


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
