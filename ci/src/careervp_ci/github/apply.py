"""`careervp-ci github-settings --apply`: push `.github/settings/` to a repository with GitHub's REST API.

The token comes from $GITHUB_TOKEN (an admin's fine-grained token: administration and environments write)
and is only ever sent as the Authorization header. The API root is $GITHUB_API_URL (GitHub Enterprise, or
the tests' local stub), else https://api.github.com. Secret values are never set here (they are encrypted
per repository and held by people): the command reports which listed secrets an environment still lacks.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from careervp_ci.errors import CareervpError, UsageError
from careervp_ci.github.settings import Settings

DEFAULT_API = "https://api.github.com"


class GitHubError(CareervpError):
    """The API refused a request; the message names the method, path and GitHub's answer."""


@dataclass(frozen=True)
class GitHub:
    repo: str
    """owner/name"""
    token: str
    api: str = DEFAULT_API

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 (the configured GitHub API root)
            self.api.rstrip("/") + path,
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                **({"Content-Type": "application/json"} if data else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise GitHubError(f"{method} {path}: HTTP {error.code} {detail}") from None
        except OSError as error:
            raise GitHubError(f"{method} {path}: {error}") from None
        return json.loads(payload) if payload.strip() else None


def client_from_env(repo: str | None, env: Mapping[str, str] = os.environ) -> GitHub:
    """A client for `repo` (default $GITHUB_REPOSITORY); a UsageError naming what is missing."""
    token = env.get("GITHUB_TOKEN", "")
    name = repo or env.get("GITHUB_REPOSITORY", "")
    if not token:
        raise UsageError("github-settings --apply needs $GITHUB_TOKEN (a token with administration rights)")
    if name.count("/") != 1:
        raise UsageError(
            f"github-settings --apply needs --repo OWNER/NAME (or $GITHUB_REPOSITORY), got {name!r}"
        )
    return GitHub(name, token, env.get("GITHUB_API_URL") or DEFAULT_API)


def _reviewers(github: GitHub, reviewers: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Reviewers as the API takes them: a team named by `slug` gets its id looked up."""
    resolved = []
    for reviewer in reviewers:
        if reviewer.get("id"):
            resolved.append({"type": reviewer["type"], "id": reviewer["id"]})
            continue
        slug = reviewer.get("slug")
        if reviewer.get("type") != "Team" or not slug:
            raise UsageError(f"reviewer {dict(reviewer)!r}: give an id, or a Team with a slug")
        owner = github.repo.split("/")[0]
        team = github.request("GET", f"/orgs/{owner}/teams/{slug}")
        resolved.append({"type": "Team", "id": team["id"]})
    return resolved


def apply(github: GitHub, settings: Settings) -> list[str]:
    """Make the repository's ruleset and environments match the settings; returns what was done and what a
    person must still do (missing secret values)."""
    base = f"/repos/{github.repo}"
    done = []
    rulesets = github.request("GET", f"{base}/rulesets") or []
    name = settings.ruleset["name"]
    existing = next((r for r in rulesets if r.get("name") == name), None)
    if existing:
        github.request("PUT", f"{base}/rulesets/{existing['id']}", settings.ruleset)
        done.append(f"ruleset {name!r} updated (id {existing['id']})")
    else:
        created = github.request("POST", f"{base}/rulesets", settings.ruleset)
        done.append(f"ruleset {name!r} created (id {(created or {}).get('id', '?')})")
    for env in settings.environments.values():
        body = {**env.body, "reviewers": _reviewers(github, list(env.body.get("reviewers", [])))}
        github.request("PUT", f"{base}/environments/{env.name}", body)
        policies_path = f"{base}/environments/{env.name}/deployment-branch-policies"
        current = (github.request("GET", policies_path) or {}).get("branch_policies", [])
        wanted = {(p["name"], p.get("type", "branch")) for p in env.policies}
        have = {(p["name"], p.get("type", "branch")): p["id"] for p in current}
        for policy_name, kind in sorted(wanted - set(have)):
            github.request("POST", policies_path, {"name": policy_name, "type": kind})
        for key in sorted(set(have) - wanted):
            github.request("DELETE", f"{policies_path}/{have[key]}")
        listed = (github.request("GET", f"{base}/environments/{env.name}/secrets") or {}).get("secrets", [])
        missing = sorted(set(env.secrets) - {s["name"] for s in listed})
        done.append(
            f"environment {env.name!r} applied ({len(wanted)} deployment policies)"
            + (f"; still to set by hand: secret {', '.join(missing)}" if missing else "")
        )
    return done
