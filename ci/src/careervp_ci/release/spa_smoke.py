"""The SPA's post-deploy smoke: a real headless Chromium (Debian's, driven by Playwright) loads the deployed
SPA, which reads its config.json and calls the deployed API's GET /health; the check asserts what the page
shows and keeps a screenshot in the reports.

Where the browser loads the SPA from: on AWS, the distribution's URL (CloudFront serving the bucket). On the
emulator there is no CDN (moto answers CloudFront's API but serves nothing) and Lambda does not run, so
`serve_deployed_spa` serves the files the deploy put in the emulator's bucket from 127.0.0.1, with the
deployed config.json's `apiBaseUrl` pointed at the API served locally for the smoke (`release.served_api`);
the check first holds the deployed config.json to the stack's ApiUrl. CloudFront serving is reported not
verifiable there, never passed.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator, Mapping
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


@contextmanager
def serve_deployed_spa(session: AwsSession, outputs: Mapping[str, str], api_base_url: str) -> Iterator[str]:
    """The files of the emulator's SPA bucket over HTTP on 127.0.0.1 (a stand-in for CloudFront), calling
    the API at `api_base_url`; yields the SPA's URL."""
    files = local_files(deployed_files(session, outputs), api_base_url)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            key = self.path.split("?", 1)[0].lstrip("/") or INDEX
            body = files.get(key)
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
        yield f"http://127.0.0.1:{port}/"


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


def load_spa(url: str, screenshot: Path) -> PageResult:
    """Open `url` in headless Chromium, wait until the page has shown the API's health, screenshot it."""
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415 (only the smoke drives a browser)

    browser_path = chromium()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _drive(sync_playwright, browser_path, url, screenshot)
    except Error as error:
        raise BrowserFailed(f"{url}: {error.message.splitlines()[0]}") from None


def _drive(sync_playwright: Any, browser_path: Path, url: str, screenshot: Path) -> PageResult:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(browser_path), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto(url, timeout=PAGE_TIMEOUT_MS)
            shown = page.wait_for_selector(HEALTH_SELECTOR, timeout=PAGE_TIMEOUT_MS)
            page.screenshot(path=str(screenshot), full_page=True)
            if shown is None:
                raise BrowserFailed(f"{url}: the page never showed the API's health")
            return PageResult(shown.get_attribute("data-state") or "", shown.inner_text(), screenshot)
        finally:
            browser.close()


def served_config(spa_url: str) -> bytes:
    """config.json as the distribution at `spa_url` serves it (AWS only)."""
    with urllib.request.urlopen(spa_url + CONFIG, timeout=30) as response:  # noqa: S310 (the deployed CDN)
        return bytes(response.read())
