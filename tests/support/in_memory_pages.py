"""Web pages held in memory, for the company-research tests: a `Fetcher` with no network."""

from __future__ import annotations

from careervp.research.fetch import Page

SITE = "https://acme.example"


class Pages:
    """A `Fetcher` over a dict: url -> (status, content type, text); records what was asked for."""

    def __init__(self, pages: dict[str, tuple[int, str, str]]) -> None:
        self.pages = pages
        self.asked: list[str] = []

    def get(self, url: str) -> Page:
        self.asked.append(url)
        status, content_type, text = self.pages.get(url, (404, "text/plain", ""))
        return Page(url, status, content_type, text)
