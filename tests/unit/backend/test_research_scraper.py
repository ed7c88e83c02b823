"""The scraper and the site search against pages in memory: no network."""

from __future__ import annotations

import pytest
from careervp.research.fetch import FetchError
from careervp.research.web_scraper import DisallowedError, Link, WebScraper
from careervp.research.web_search import SiteLinkSearch
from support.in_memory_pages import SITE, Pages

HOME = (
    "<html><head><title>Acme</title><meta name='description' content='Acme  makes   anvils.'>"
    "<style>.x{}</style><script>var secret = 1;</script></head><body><h1>Anvils</h1><p>Since 1949.</p>"
    "<a href='/about#team'>About us</a><a href='https://other.example/about'>Elsewhere</a></body></html>"
)


def scraper(robots: tuple[int, str, str], **pages: tuple[int, str, str]) -> tuple[WebScraper, Pages]:
    fetcher = Pages(
        {f"{SITE}/robots.txt": robots, **{f"{SITE}/{k}".rstrip("/"): v for k, v in pages.items()}}
    )
    return WebScraper(fetcher, SITE), fetcher


def test_a_page_gives_title_description_headings_text_and_links_without_scripts() -> None:
    scrape, _ = scraper((404, "text/plain", ""), **{"": (200, "text/html", HOME)})
    page = scrape.scrape(SITE)
    assert (page.title, page.description, page.headings) == ("Acme", "Acme makes anvils.", ("Anvils",))
    assert "Since 1949." in page.text and "secret" not in page.text
    assert page.links == (Link(f"{SITE}/about", "About us"), Link("https://other.example/about", "Elsewhere"))


def test_robots_txt_disallowing_a_page_refuses_it_before_fetching_it() -> None:
    scrape, fetcher = scraper((200, "text/plain", "User-agent: *\nDisallow: /private\n"))
    with pytest.raises(DisallowedError, match="disallows /private/x"):
        scrape.scrape(f"{SITE}/private/x")
    assert fetcher.asked == [f"{SITE}/robots.txt"]


def test_robots_txt_is_read_once_per_site() -> None:
    scrape, fetcher = scraper((404, "text/plain", ""), **{"": (200, "text/html", HOME)})
    scrape.scrape(SITE)
    scrape.scrape(SITE)
    assert fetcher.asked.count(f"{SITE}/robots.txt") == 1


def test_an_unreadable_robots_txt_allows_nothing() -> None:
    scrape, _ = scraper((503, "text/plain", ""), **{"": (200, "text/html", HOME)})
    with pytest.raises(DisallowedError):
        scrape.scrape(SITE)


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ((200, "application/pdf", "%PDF"), "is application/pdf, not an HTML page"),
        ((500, "text/html", ""), "HTTP 500"),
    ],
)
def test_a_page_that_is_not_a_readable_html_page_is_a_fetch_error(
    page: tuple[int, str, str], message: str
) -> None:
    scrape, _ = scraper((404, "text/plain", ""), doc=page)
    with pytest.raises(FetchError, match=message):
        scrape.scrape(f"{SITE}/doc")


def test_site_search_ranks_about_pages_of_the_same_site_and_leaves_out_home_and_other_sites() -> None:
    links = [
        Link(f"{SITE}/", "Home"),
        Link(f"{SITE}/careers", "Jobs"),
        Link(f"{SITE}/about", "About"),
        Link(f"{SITE}/pricing", "Pricing"),
        Link("https://other.example/about", "About them"),
        Link("mailto:hi@acme.example", "Mail"),
    ]
    assert SiteLinkSearch().search(SITE, links, 5) == [f"{SITE}/about", f"{SITE}/careers"]
    assert SiteLinkSearch().search(SITE, links, 1) == [f"{SITE}/about"]
