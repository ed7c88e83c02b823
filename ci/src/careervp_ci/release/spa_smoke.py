"""The SPA's post-deploy smoke: a real headless Chromium (Debian's, driven by Playwright) loads the deployed
SPA, which reads its config.json and calls the deployed API's GET /health, and signs the smoke user in
through its own form (Cognito's InitiateAuth) and lists their knowledge-base documents from the API; the
checks assert what the page shows and keep screenshots in the reports.

Where the browser loads the SPA from: on AWS, the distribution's URL (CloudFront serving the bucket). On the
emulator there is no CDN (moto answers CloudFront's API but serves nothing) and Lambda does not run, so
`serve_deployed_spa` serves the files the deploy put in the emulator's bucket from 127.0.0.1, with the
deployed config.json's `apiBaseUrl` pointed at the API served locally for the smoke (`release.served_api`),
which allows that origin in CORS; the check first holds the deployed config.json to the stack's ApiUrl.
CloudFront serving is reported not verifiable there, never passed.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from careervp_infra.frontend_names import BUCKET_OUTPUT, INDEX
from careervp_local.serving import serving

from careervp_ci.errors import CareervpError
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.spa import CONFIG, content_type

CHROMIUM_ENV = "CAREERVP_CHROMIUM"
CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium (`apt-get install chromium`): Playwright's own browser download is not used."""
REPORTS_ENV = "CAREERVP_SMOKE_REPORTS"
"""Where the screenshot goes (default: `<repo>/.reports/smoke`); the release-local step names its own."""
HEALTH_SELECTOR = "#health:not([data-state='loading'])"
DOCUMENTS_SETTLED = "#documents-status:not([data-state='loading'])"
"""The sign-in form is ready (`signed-out`) or the page said why it cannot sign in (`error`)."""
DOCUMENTS_SHOWN = "#documents-status:is([data-state='ok'], [data-state='error'])"
PAGE_TIMEOUT_MS = 30_000
"""As long as the HTTP smoke waits for the API (API Gateway's own limit)."""


class ChromiumMissing(CareervpError):
    """No Chromium where the smoke looks; the message says how to install it."""


class BrowserFailed(CareervpError):
    """The browser could not load the SPA or the page never showed the API's health."""


def deployed_files(session: AwsSession, outputs: Mapping[str, str]) -> dict[str, bytes]:
    """Every object the deploy put in the SPA's bucket, by key."""
    s3: Any = session.client("s3")
    bucket = outputs[BUCKET_OUTPUT]
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def local_files(files: Mapping[str, bytes], api_base_url: str) -> dict[str, bytes]:
    """The deployed files with config.json's `apiBaseUrl` pointed at the locally served API (its one change;
    the deployed config.json is held to the stack's ApiUrl by its own check)."""
    if CONFIG not in files:
        raise ValueError(f"the SPA's bucket holds no {CONFIG}: was the SPA deployed?")
    config = json.loads(files[CONFIG])
    return {**files, CONFIG: json.dumps({**config, "apiBaseUrl": api_base_url}).encode()}


@dataclass(frozen=True)
class LocalSpa:
    """The SPA served on 127.0.0.1. Its origin exists before config.json names the API (`call_api`): the
    API served for the smoke must allow that origin in CORS, so it starts after the SPA and before the page
    loads."""

    url: str
    files: dict[str, bytes]
    """What is served, by key (read on every request)."""

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def call_api(self, api_base_url: str) -> None:
        """Serve config.json with `apiBaseUrl` pointed at `api_base_url` from now on."""
        self.files.update(local_files(self.files, api_base_url))


@contextmanager
def serve_spa(files: Mapping[str, bytes]) -> Iterator[LocalSpa]:
    """`files` over HTTP on 127.0.0.1 (a stand-in for CloudFront)."""
    served = dict(files)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            key = self.path.split("?", 1)[0].lstrip("/") or INDEX
            body = served.get(key)
            if body is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type(key))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the smoke's lines say what was served."""

    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as port:
        yield LocalSpa(f"http://127.0.0.1:{port}/", served)


@contextmanager
def serve_deployed_spa(session: AwsSession, outputs: Mapping[str, str]) -> Iterator[LocalSpa]:
    """The files of the emulator's SPA bucket, served; `LocalSpa.call_api` then names the API."""
    with serve_spa(deployed_files(session, outputs)) as spa:
        yield spa


def chromium() -> Path:
    """Debian's Chromium, or $CAREERVP_CHROMIUM; ChromiumMissing says how to install it."""
    path = Path(os.environ.get(CHROMIUM_ENV) or CHROMIUM)
    if not path.is_file():
        raise ChromiumMissing(
            f"the SPA's browser smoke needs Chromium at {path} and found none: install it with "
            "`apt-get install chromium` (Debian; `.ci/container-tools` does this as root), or point "
            f"${CHROMIUM_ENV} at a Chromium binary"
        )
    return path


@dataclass(frozen=True)
class PageResult:
    state: str
    text: str
    screenshot: Path


@dataclass(frozen=True)
class DocumentsPage:
    """What the page showed once the user signed in: its state and line, and the documents it listed."""

    state: str
    text: str
    documents: tuple[tuple[str, str], ...]
    """(document id, title) of each listed document, in the page's order."""
    screenshot: Path


def load_spa(url: str, screenshot: Path) -> PageResult:
    """Open `url` in headless Chromium, wait until the page has shown the API's health, screenshot it."""

    def health(page: Any) -> PageResult:
        shown = page.wait_for_selector(HEALTH_SELECTOR, timeout=PAGE_TIMEOUT_MS)
        page.screenshot(path=str(screenshot), full_page=True)
        if shown is None:
            raise BrowserFailed(f"{url}: the page never showed the API's health")
        return PageResult(shown.get_attribute("data-state") or "", shown.inner_text(), screenshot)

    return _in_chromium(url, screenshot, health)


def sign_in_on_spa(url: str, email: str, password: str, screenshot: Path) -> DocumentsPage:
    """Open `url` in headless Chromium, sign in through the page's form and wait until it has listed the
    user's documents or said why not; screenshot it (the password field shows no password)."""

    def documents(page: Any) -> DocumentsPage:
        ready = page.wait_for_selector(DOCUMENTS_SETTLED, timeout=PAGE_TIMEOUT_MS)
        if ready is not None and ready.get_attribute("data-state") == "signed-out":
            page.fill("#username", email)
            page.fill("#password", password)
            page.click("#signin button[type=submit]")
            ready = page.wait_for_selector(DOCUMENTS_SHOWN, timeout=PAGE_TIMEOUT_MS)
        page.screenshot(path=str(screenshot), full_page=True)
        if ready is None:
            raise BrowserFailed(f"{url}: the page never showed the user's documents")
        listed = page.eval_on_selector_all(
            "#documents li", "items => items.map((item) => [item.dataset.documentId, item.textContent])"
        )
        return DocumentsPage(
            ready.get_attribute("data-state") or "",
            ready.inner_text(),
            tuple((str(found), str(title)) for found, title in listed),
            screenshot,
        )

    return _in_chromium(url, screenshot, documents)


def _in_chromium[T](url: str, screenshot: Path, act: Callable[[Any], T]) -> T:
    """`act` on a fresh headless Chromium page that has loaded `url`. A Playwright error (a wait that timed
    out) is BrowserFailed naming what the page showed by then, with the screenshot of it taken."""
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415 (only the smoke drives a browser)

    browser_path = chromium()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(browser_path), headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page()
                try:
                    page.goto(url, timeout=PAGE_TIMEOUT_MS)
                    return act(page)
                except Error as error:
                    failed = error.message.splitlines()[0].rstrip(".")
                    raise BrowserFailed(
                        f"{url}: {failed}; the page showed {_showing(page, screenshot)}"
                    ) from None
            finally:
                browser.close()
    except Error as error:
        raise BrowserFailed(f"{url}: {error.message.splitlines()[0]}") from None


def _showing(page: Any, screenshot: Path) -> str:
    """The page's visible text (cut at 300 characters), screenshotted; a page too broken to read says so."""
    from playwright.sync_api import Error  # noqa: PLC0415

    try:
        page.screenshot(path=str(screenshot), full_page=True, timeout=5_000)
        text = " ".join(page.inner_text("body", timeout=5_000).split())
    except Error as error:
        return f"nothing readable ({error.message.splitlines()[0]})"
    return f"{text[:300]!r}; screenshot {screenshot}"


@contextmanager
def stored_document(base_url: str, id_token: str, title: str) -> Iterator[str]:
    """A document of the signed-in user's, stored through the API (POST /kb/documents) for the page to
    list, and deleted afterwards; yields its id."""
    documents = base_url.rstrip("/") + "/kb/documents"
    body = {"title": title, "media_type": "text/plain", "content": f"stored by the SPA's smoke: {title}"}
    stored = _call(documents, "POST", id_token, json.dumps(body).encode())
    document_id = str(json.loads(stored)["document_id"])
    try:
        yield document_id
    finally:
        _call(f"{documents}/{document_id}", "DELETE", id_token)


def _call(url: str, method: str, id_token: str, body: bytes | None = None) -> bytes:
    headers = {"Authorization": id_token, "Accept": "application/json", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the API under test)
        return bytes(response.read())


def served_config(spa_url: str) -> bytes:
    """config.json as the distribution at `spa_url` serves it (AWS only)."""
    with urllib.request.urlopen(spa_url + CONFIG, timeout=30) as response:  # noqa: S310 (the deployed CDN)
        return bytes(response.read())
