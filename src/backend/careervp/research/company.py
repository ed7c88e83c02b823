"""A company's profile from its own website: the home page plus the pages search ranks as about it.

Depends only on the `Fetcher`, `WebScraper` and `WebSearch` interfaces, so it is tested with pages in
memory. A page that fails or that robots.txt disallows is reported in `skipped`, never silently dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from careervp.research.fetch import FetchError, site_of
from careervp.research.web_scraper import ScrapedPage, WebScraper
from careervp.research.web_search import WebSearch

MAX_EXTRA_PAGES = 2
KEYWORDS = 8
_WORD = re.compile(r"[a-z][a-z-]{3,}")
STOPWORDS = frozenset(
    [
        "about",
        "also",
        "been",
        "before",
        "being",
        "both",
        "could",
        "does",
        "each",
        "every",
        "from",
        "have",
        "here",
        "into",
        "just",
        "like",
        "more",
        "most",
        "only",
        "other",
        "over",
        "same",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "very",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "within",
        "without",
        "would",
        "your",
        "yours",
        "ours",
        "company",
    ]
)


@dataclass(frozen=True)
class Profile:
    company_name: str
    website: str
    summary: str
    keywords: tuple[str, ...]
    pages: tuple[ScrapedPage, ...]
    skipped: tuple[str, ...]


def keywords(pages: tuple[ScrapedPage, ...], company_name: str, limit: int = KEYWORDS) -> tuple[str, ...]:
    """The words the pages use most (ties: first seen), leaving out stopwords and the company's own name."""
    own = set(_WORD.findall(company_name.lower()))
    counts: Counter[str] = Counter()
    for page in pages:
        text = " ".join((page.title, page.description, *page.headings, page.text)).lower()
        counts.update(word for word in _WORD.findall(text) if word not in STOPWORDS and word not in own)
    return tuple(word for word, _ in counts.most_common(limit))


def summary(pages: tuple[ScrapedPage, ...]) -> str:
    """The first meta description the pages give, else the first text of the home page."""
    for page in pages:
        if page.description:
            return page.description
    return pages[0].text[:300] if pages else ""


def research(company_name: str, website: str, scraper: WebScraper, search: WebSearch) -> Profile:
    """Scrape the home page (its failure is the research's failure), then the best about-pages."""
    site = site_of(website)
    home = scraper.scrape(website)
    pages = [home]
    skipped = []
    for url in search.search(site, home.links, MAX_EXTRA_PAGES):
        try:
            pages.append(scraper.scrape(url))
        except FetchError as error:
            skipped.append(str(error))
    found = tuple(pages)
    return Profile(
        company_name, website, summary(found), keywords(found, company_name), found, tuple(skipped)
    )
