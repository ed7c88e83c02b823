"""A small company website served on 127.0.0.1: what company research reads in tests and the emulator smoke.

Development only. Its pages are fixed: a home page linking to an about page, a careers page and a page
robots.txt disallows, so a research of it shows every rule (same site only, robots.txt honoured) at work.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from careervp_local.serving import serving

COMPANY = "Fixture Robotics"
HTML = "text/html; charset=utf-8"

PAGES: Mapping[str, tuple[int, str, str]] = {
    "/robots.txt": (200, "text/plain", "User-agent: *\nDisallow: /private\n"),
    "/": (
        200,
        HTML,
        "<html><head><title>Fixture Robotics</title>"
        '<meta name="description" content="Fixture Robotics builds warehouse robots for small retailers.">'
        "<script>var tracking = 'never read';</script></head><body><h1>Robots for small warehouses</h1>"
        "<p>We design warehouse robots and the software that plans their routes.</p>"
        '<a href="/about">About us</a> <a href="/careers">Careers</a>'
        ' <a href="/private/board">About our board</a>'
        ' <a href="https://elsewhere.invalid/about">Partner</a></body></html>',
    ),
    "/about": (
        200,
        HTML,
        "<html><head><title>About Fixture Robotics</title></head><body><h2>Our mission</h2>"
        "<p>Warehouse robots that small retailers can afford, serviced by our own engineers.</p>"
        "</body></html>",
    ),
    "/careers": (
        200,
        HTML,
        "<html><head><title>Careers</title></head><body><h2>Join the team</h2>"
        "<p>We hire robotics engineers and route-planning software engineers.</p></body></html>",
    ),
    "/private/board": (200, HTML, "<html><body><p>Board minutes: never fetched.</p></body></html>"),
}


class _Handler(BaseHTTPRequestHandler):
    pages: Mapping[str, tuple[int, str, str]] = PAGES

    def do_GET(self) -> None:
        status, content_type, body = self.pages.get(self.path, (404, "text/plain", "not found"))
        data = body.encode()
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", body)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and the smoke print their own results."""


@contextmanager
def serve_fixture_site(pages: Mapping[str, tuple[int, str, str]] = PAGES) -> Iterator[str]:
    """Serve `pages` (path -> status, content type, body; a 3xx body is the Location) on a free port of
    127.0.0.1; yield the base URL."""
    handler = type("FixtureSiteHandler", (_Handler,), {"pages": pages})
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as port:
        yield f"http://127.0.0.1:{port}"
