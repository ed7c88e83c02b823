"""CORS in a real browser: Debian's Chromium (driven by Playwright) on a page from the SPA's origin calls a
personal route of the API served on another origin, with a signed-in user's ID token. Chromium sends the
preflight itself (no token on it) and only hands the page an answer whose `Access-Control-Allow-Origin` names
the page's origin; a page from any other origin is refused by the browser."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from careervp.resources import ENV_VAR_CORS_ALLOWED_ORIGIN
from careervp_ci.release.spa_smoke import CHROMIUM
from careervp_local.http_server import serve_locally
from careervp_local.serving import serving

CALL_THE_API = """async ([api, token]) => {
  try {
    const document = { title: "CV", media_type: "text/plain", content: "Python, AWS" };
    const stored = await fetch(`${api}/kb/documents`, {
      method: "POST",
      headers: { Authorization: token, "Content-Type": "application/json" },
      body: JSON.stringify(document),
    });
    const listed = await fetch(`${api}/kb/documents`, { headers: { Authorization: token } });
    const titles = (await listed.json()).documents.map((found) => found.title);
    return { stored: stored.status, listed: listed.status, titles };
  } catch (error) {
    return { blocked: String(error) };
  }
}"""
"""What the SPA does once signed in: store a document (a preflight for POST with a JSON body and the token),
then list the user's documents (a preflight for GET with the token)."""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>SPA origin</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def page_origin() -> Iterator[str]:
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _Page)) as port:
        yield f"http://127.0.0.1:{port}"


def call_from(origin: str, api: str, token: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto(origin)
            result: dict[str, Any] = page.evaluate(CALL_THE_API, [api, token])
            return result
        finally:
            browser.close()


@pytest.mark.slow
def test_chromium_on_the_spa_origin_lists_documents_from_the_api_on_another(
    backend_env: dict[str, str], id_token: str
) -> None:
    with (
        page_origin() as spa,
        page_origin() as elsewhere,
        serve_locally({**backend_env, ENV_VAR_CORS_ALLOWED_ORIGIN: spa}) as api,
    ):
        allowed = call_from(spa, api, id_token)
        refused = call_from(elsewhere, api, id_token)
    assert allowed == {"stored": 201, "listed": 200, "titles": ["CV"]}, allowed
    assert "Failed to fetch" in refused.get("blocked", ""), refused
