"""Fetching web pages behind one interface, with the limits every fetch must keep.

`HttpFetcher` fetches http(s) URLs on the one host a research is about, with a timeout and a size limit,
never following a redirect to another host. With an allow-list (`allowed_hosts`: tests and local runs, whose
stand-in sites live on 127.0.0.1) it fetches only those hosts; without one it refuses hosts that do not
resolve or resolve to private, loopback or link-local addresses (the Lambda must not be steered at internal
endpoints). Unit tests use a `Fetcher` that never touches the network.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import IO, Protocol, override
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 1.5
"""Per fetch; a research makes at most 2 + MAX_EXTRA_PAGES fetches, well inside the function's 10 s."""
MAX_PAGE_BYTES = 512 * 1024
USER_AGENT = "CareerVP-company-research/1.0 (+https://careervp.invalid/bot)"


class FetchError(Exception):
    """A page could not be fetched within the limits; the message says which limit or what failed."""


class RefusedUrlError(FetchError):
    """The URL is not one research may fetch (scheme, host, address)."""


class UnresolvableHostError(FetchError):
    """The URL's host has no address (unknown to DNS, or a name DNS cannot encode)."""


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    content_type: str
    text: str


class Fetcher(Protocol):
    def get(self, url: str) -> Page:
        """The page at `url` (any HTTP status), or FetchError."""
        ...


def site_of(url: str) -> str:
    """`scheme://host[:port]` of an http(s) URL; RefusedUrlError for anything else."""
    try:
        parts = urlsplit(url)
        usable = parts.scheme in {"http", "https"} and bool(parts.hostname) and parts.port != 0
        (parts.hostname or "").encode(
            "idna"
        )  # what the resolver sends: an empty or 64+ character label fails
    except ValueError:  # a malformed host or port ("http://[", "http://a:x"); UnicodeError is a ValueError
        usable = False
    if not usable:
        raise RefusedUrlError(f"only http and https URLs with a host can be researched, not {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


class _SameSite(urllib.request.HTTPRedirectHandler):
    def __init__(self, site: str) -> None:
        self._site = site

    @override
    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: object, newurl: str
    ) -> urllib.request.Request | None:
        if site_of(newurl) != self._site:
            raise RefusedUrlError(f"{req.full_url} redirects to another site ({site_of(newurl)})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]


class HttpFetcher:
    """Fetches pages of one site only (`site`, `scheme://host[:port]`)."""

    def __init__(
        self,
        site: str,
        *,
        allowed_hosts: frozenset[str] = frozenset(),
        timeout: float = TIMEOUT_SECONDS,
        max_bytes: int = MAX_PAGE_BYTES,
    ) -> None:
        self.site = site_of(site)
        self._allowed_hosts = allowed_hosts
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._opener = urllib.request.build_opener(_SameSite(self.site))

    def _check(self, url: str) -> None:
        if site_of(url) != self.site:
            raise RefusedUrlError(f"{url} is not on {self.site}, the site being researched")
        host = urlsplit(url).hostname or ""
        if self._allowed_hosts:
            if host not in self._allowed_hosts:
                raise RefusedUrlError(f"{host} is not on the research allow-list")
            return
        try:
            addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except (OSError, UnicodeError) as error:
            raise UnresolvableHostError(f"cannot resolve {host}: {error}") from None
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
                raise RefusedUrlError(f"{host} resolves to a non-public address ({ip}); not fetched")

    def get(self, url: str) -> Page:
        self._check(url)
        request = urllib.request.Request(  # noqa: S310 (site_of admits http and https only)
            url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain"}
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return self._read(
                    url, int(response.status), response.headers.get("Content-Type", ""), response
                )
        except urllib.error.HTTPError as error:
            return self._read(url, error.code, error.headers.get("Content-Type", ""), error)
        except RefusedUrlError:
            raise
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:  # ValueError: a URL
            # http.client cannot send (its InvalidURL, a UnicodeError)
            raise FetchError(f"could not fetch {url}: {getattr(error, 'reason', error)}") from None

    def _read(self, url: str, status: int, content_type: str, body: IO[bytes]) -> Page:
        data = body.read(self._max_bytes + 1)
        if len(data) > self._max_bytes:
            raise FetchError(f"{url} is larger than {self._max_bytes} bytes; not read")
        charset = "utf-8"
        if "charset=" in content_type:
            charset = content_type.split("charset=", 1)[1].split(";", maxsplit=1)[0].strip() or charset
        media_type = content_type.split(";", maxsplit=1)[0].strip().lower()
        return Page(url, status, media_type, data.decode(charset, errors="replace"))
