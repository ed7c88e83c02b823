"""Company-research routes: research a company from its own website and store it; read a result back."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from careervp.api import create_resolver, created, error_responses, lambda_handler, ok_response
from careervp.config import bucket_name, table_name
from careervp.observability import logger
from careervp.research.company import research
from careervp.research.fetch import FetchError, HttpFetcher, RefusedUrlError, site_of
from careervp.research.models import (
    RESEARCH_ID_PATTERN,
    CompanyResearch,
    CompanyResearchRequest,
    ResearchedPage,
)
from careervp.research.store import ResearchStore, snapshot_key
from careervp.research.web_scraper import DisallowedError, WebScraper
from careervp.research.web_search import SiteLinkSearch
from careervp.resources import (
    ENV_VAR_RESEARCH_ALLOWED_HOSTS,
    RESEARCH_BUCKET,
    RESEARCH_FUNCTION,
    RESEARCH_TABLE,
)

MAX_REQUEST_BYTES = 16 * 1024


def _store() -> ResearchStore:
    from careervp import aws_clients  # noqa: PLC0415  (boto3 loads on the first request that needs AWS)

    return ResearchStore(
        table=table_name(RESEARCH_TABLE),
        bucket=bucket_name(RESEARCH_BUCKET),
        dynamodb=aws_clients.dynamodb(),
        s3=aws_clients.s3(),
    )


app = create_resolver()


@app.post(
    "/company-research",
    summary="Research a company from its own website (robots.txt honoured) and store the result",
    responses={
        **ok_response(CompanyResearch, "The stored research", 201),
        **error_responses(400, 413, 415, 422, 500, 502),
    },
)
def research_company(request: Annotated[CompanyResearchRequest, Body()]) -> Response[CompanyResearch]:
    """400: the request breaks the contract; 422: a valid URL research may not fetch (allow-list, address,
    robots.txt, a redirect off the site); 502: the site cannot be resolved or reached, or answers badly."""
    try:
        site = site_of(request.website)
        allowed = os.environ.get(ENV_VAR_RESEARCH_ALLOWED_HOSTS, "")
        fetcher = HttpFetcher(
            site, allowed_hosts=frozenset(h.strip() for h in allowed.split(",") if h.strip())
        )
        profile = research(request.company_name, request.website, WebScraper(fetcher, site), SiteLinkSearch())
    except (RefusedUrlError, DisallowedError) as error:
        raise ServiceError(HTTPStatus.UNPROCESSABLE_ENTITY.value, str(error)) from None
    except FetchError as error:
        raise ServiceError(HTTPStatus.BAD_GATEWAY.value, str(error)) from None
    research_id = uuid.uuid4().hex
    result = CompanyResearch(
        research_id=research_id,
        company_name=profile.company_name,
        website=profile.website,
        summary=profile.summary,
        keywords=list(profile.keywords),
        pages=[
            ResearchedPage(url=p.url, title=p.title, description=p.description, headings=list(p.headings))
            for p in profile.pages
        ],
        skipped=list(profile.skipped),
        snapshot_key=snapshot_key(research_id),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    _store().save(result, {page.url: page.text for page in profile.pages})
    logger.info("company researched", extra={"research_id": research_id, "pages": len(result.pages)})
    return created(result, f"/company-research/{research_id}")


@app.get(
    "/company-research/<research_id>",
    summary="Read a stored company research",
    responses={**ok_response(CompanyResearch, "The stored research"), **error_responses(400, 404, 500)},
)
def get_research(
    research_id: Annotated[str, Path(pattern=RESEARCH_ID_PATTERN, description="32 lowercase hex digits")],
) -> CompanyResearch:
    found = _store().get(research_id)
    if found is None:
        raise NotFoundError(f"no company research with id {research_id!r}")
    return found


handler = lambda_handler(app, function=RESEARCH_FUNCTION, max_body_bytes=MAX_REQUEST_BYTES)
