"""Finds the pages of a company's site most likely to describe it, behind one interface.

`SiteLinkSearch` ranks the links of the home page (same site only) by words that mark a page about the
company (about, company, mission, careers, team, ...). A provider-backed web search can stand behind the
same `WebSearch` interface later without the research logic changing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from careervp.research.fetch import RefusedUrlError, site_of
from careervp.research.web_scraper import Link

ABOUT_WORDS = ("about", "company", "mission", "who-we-are", "story", "careers", "jobs", "team", "values")


class WebSearch(Protocol):
    def search(self, site: str, links: Sequence[Link], limit: int) -> list[str]:
        """Up to `limit` URLs on `site` most likely to describe the company, best first."""
        ...


class SiteLinkSearch:
    def search(self, site: str, links: Sequence[Link], limit: int) -> list[str]:
        scored: dict[str, int] = {}
        for link in links:
            try:
                if site_of(link.url) != site:
                    continue
            except RefusedUrlError:
                continue
            haystack = f"{link.url} {link.text}".lower()
            score = sum(len(ABOUT_WORDS) - rank for rank, word in enumerate(ABOUT_WORDS) if word in haystack)
            if score and link.url.rstrip("/") != site:
                scored[link.url] = max(score, scored.get(link.url, 0))
        return sorted(scored, key=lambda url: (-scored[url], url))[:limit]
