"""Reads what a page says about its company: title, description, headings, text; robots.txt decides.

`WebScraper` asks the site's robots.txt (fetched once per scraper) before every page and refuses pages it
disallows for our user agent; a site without robots.txt (404) allows everything, one that cannot be read
(5xx) allows nothing, as RFC 9309 says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from careervp.research.fetch import USER_AGENT, Fetcher, FetchError

MAX_TEXT_CHARS = 4_000
_SKIPPED = {"script", "style", "noscript", "template", "svg"}


class DisallowedError(FetchError):
    """robots.txt disallows the page."""


@dataclass(frozen=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True)
class ScrapedPage:
    url: str
    title: str
    description: str
    headings: tuple[str, ...]
    text: str
    links: tuple[Link, ...] = field(default=())


class _Reader(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.title = ""
        self.description = ""
        self.headings: list[str] = []
        self.text: list[str] = []
        self.links: list[Link] = []
        self._stack: list[str] = []
        self._href: str | None = None
        self._anchor: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("name", "").lower() == "description":
            self.description = self.description or " ".join(values.get("content", "").split())
        elif tag == "a" and values.get("href"):
            self._href, self._anchor = urljoin(self.base, values["href"]).split("#")[0], []
        if tag not in {"meta", "link", "br", "img", "input", "hr"}:
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(Link(self._href, " ".join(" ".join(self._anchor).split())))
            self._href = None
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if any(tag in _SKIPPED for tag in self._stack):
            return
        words = " ".join(data.split())
        if not words:
            return
        current = self._stack[-1] if self._stack else ""
        if current == "title":
            self.title = self.title or words
        elif current in {"h1", "h2", "h3"}:
            self.headings.append(words)
        else:
            self.text.append(words)
        if self._href is not None:
            self._anchor.append(words)


class WebScraper:
    def __init__(self, fetcher: Fetcher, site: str) -> None:
        self._fetcher = fetcher
        self._site = site
        self._robots: RobotFileParser | None = None

    def _rules(self) -> RobotFileParser:
        if self._robots is None:
            robots = RobotFileParser()
            page = self._fetcher.get(urljoin(self._site, "/robots.txt"))
            if page.status >= 500:
                robots.parse(["User-agent: *", "Disallow: /"])
            elif page.status >= 400:
                robots.parse([])
            else:
                robots.parse(page.text.splitlines())
            self._robots = robots
        return self._robots

    def scrape(self, url: str) -> ScrapedPage:
        """The page's content; DisallowedError when robots.txt forbids it, FetchError when it is not HTML."""
        if not self._rules().can_fetch(USER_AGENT, url):
            raise DisallowedError(f"robots.txt of {self._site} disallows {urlsplit(url).path or '/'}")
        page = self._fetcher.get(url)
        if page.status != 200:
            raise FetchError(f"{url} answered HTTP {page.status}")
        if page.content_type not in {"text/html", "application/xhtml+xml"}:
            raise FetchError(f"{url} is {page.content_type or 'untyped'}, not an HTML page")
        reader = _Reader(url)
        reader.feed(page.text)
        reader.close()
        return ScrapedPage(
            url=url,
            title=reader.title,
            description=reader.description,
            headings=tuple(reader.headings),
            text=" ".join(reader.text)[:MAX_TEXT_CHARS],
            links=tuple(reader.links),
        )
