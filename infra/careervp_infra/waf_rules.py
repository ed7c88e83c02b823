"""CareerVP's own web ACL rule as data, free of the CDK: `waf.py` builds the rule from it, and the release's
post-deploy check (`careervp_ci.release.feature_checks`) probes it, without importing the CDK."""

from __future__ import annotations

from urllib.parse import unquote

BLOCKED_PATH_FRAGMENTS = ("/.env", "/.git", "/wp-admin", "/wp-login", "/phpmyadmin")
"""Path fragments (matched URL-decoded and lowercased) scanners try on every host; no route contains one."""
BLOCK_REASON_HEADER = "block-reason"
"""WAF prefixes custom response headers: clients see `x-amzn-waf-block-reason`."""
CLIENT_BLOCK_REASON_HEADER = f"x-amzn-waf-{BLOCK_REASON_HEADER}"
BLOCK_REASON = "known-bad-path"
PROJECT_RULE = "careervp-known-bad-paths"
PROBE_PATH = "/.env"
"""The path the post-deploy check requests: the rule must block it."""


def blocks_path(path: str) -> bool:
    """Whether the project rule blocks a request for `path` (URL_DECODE, then LOWERCASE, then CONTAINS)."""
    inspected = unquote(path).lower()
    return any(fragment in inspected for fragment in BLOCKED_PATH_FRAGMENTS)
