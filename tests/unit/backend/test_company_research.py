"""Company research over the interfaces with pages in memory, and the fetcher's refusals (no network)."""

from __future__ import annotations

import pytest
from careervp.research.company import keywords, research
from careervp.research.fetch import HttpFetcher, RefusedUrlError, site_of
from careervp.research.web_scraper import ScrapedPage, WebScraper
from careervp.research.web_search import SiteLinkSearch
from support.in_memory_pages import SITE, Pages

HOME = (
    "<html><head><title>Acme</title><meta name='description' content='Acme makes anvils.'></head><body>"
    "<p>Anvils anvils anvils for roadrunners.</p><a href='/about'>About</a><a href='/team'>Team</a>"
    "</body></html>"
)
ABOUT = (
    "<html><head><title>About</title></head><body><p>Anvils since 1949, roadrunners beware.</p></body></html>"
)


def test_research_reads_home_and_about_pages_and_lists_what_it_skipped() -> None:
    fetcher = Pages(
        {
            f"{SITE}/robots.txt": (200, "text/plain", "User-agent: *\nDisallow: /team\n"),
            SITE: (200, "text/html", HOME),
            f"{SITE}/about": (200, "text/html", ABOUT),
        }
    )
    profile = research("Acme", SITE, WebScraper(fetcher, SITE), SiteLinkSearch())
    assert [page.url for page in profile.pages] == [SITE, f"{SITE}/about"]
    assert profile.summary == "Acme makes anvils."
    assert profile.keywords[:2] == ("anvils", "roadrunners")
    assert profile.skipped == (f"robots.txt of {SITE} disallows /team",)
    assert f"{SITE}/team" not in fetcher.asked


def test_keywords_leave_out_stopwords_and_the_companys_own_name() -> None:
    page = ScrapedPage("u", "Acme Anvils", "", (), "with this acme anvils anvils robots", ())
    assert keywords((page,), "Acme Anvils") == ("robots",)


@pytest.mark.parametrize(
    "url",
    ["ftp://acme.example/", "file:///etc/passwd", "acme.example", "https:///x", "http://[", "http://a:x/"],
)
def test_only_http_and_https_urls_with_a_host_are_researched(url: str) -> None:
    with pytest.raises(RefusedUrlError, match="only http and https"):
        site_of(url)


def test_the_fetcher_refuses_another_site_before_connecting() -> None:
    with pytest.raises(RefusedUrlError, match=r"is not on https://acme\.example"):
        HttpFetcher(SITE).get("https://other.example/")


def test_the_fetcher_refuses_loopback_addresses_unless_allowed() -> None:
    with pytest.raises(RefusedUrlError, match=r"localhost resolves to a non-public address \(127\.0\.0\.1\)"):
        HttpFetcher("http://localhost:9").get("http://localhost:9/")


def test_with_an_allow_list_the_fetcher_refuses_every_other_host_before_resolving_it() -> None:
    fetcher = HttpFetcher("https://acme.example", allowed_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(RefusedUrlError, match=r"acme\.example is not on the research allow-list"):
        fetcher.get("https://acme.example/")
