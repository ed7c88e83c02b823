"""Smoke checks: each feature exercised once through the deployed API, declared as data.

The checks run in order against a base URL; values a response returns (`capture`) fill `{placeholders}` of
later checks. `run` is a fresh id per smoke so repeated smokes never collide. The webhook fixture is signed
when the smoke runs, with the configured secret ($STRIPE_WEBHOOK_SECRET), and replayed: the second delivery
must be acknowledged too (Stripe retries), and an unsigned copy must be refused. CV tailoring and cover
letters call the model: on AWS the deployed functions call Anthropic's API (one small, capped call each); on
an emulator the locally served handlers call the Messages-API stand-in (`release.served_api`). Every check
sends the smoke user's ID token (`{id_token}`, `release.smoke_user`) unless it says otherwise: the
authentication checks send none, or a forged one, and must be refused.

Each check declares whether it is `read_only` (a read-only smoke, prod's, runs only those) and, through its
`{placeholders}`, what it needs: a value only some targets have (`OPTIONAL_INPUTS`) makes it not verifiable
where it is missing (`release.smoke_plan`).
"""

from __future__ import annotations

import base64
import json
import string
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from careervp.billing.signature import compute_signature
from careervp.generation.client import MODEL

SECRET_ENV = "STRIPE_WEBHOOK_SECRET"  # noqa: S105 (the variable's name)
FIXTURE_SITE_ENV = "CAREERVP_SMOKE_FIXTURE_SITE"
"""On AWS: the URL of a public copy of `careervp_local.fixture_site` the company-research smoke researches."""


@dataclass(frozen=True)
class OptionalInput:
    """A value some checks need (`{placeholder}`) that a target may lack: an emulator's smoke makes it
    itself; on AWS it comes from `variable`, which no workflow, setting or Dagger argument provides."""

    placeholder: str
    variable: str
    what: str


OPTIONAL_INPUTS: tuple[OptionalInput, ...] = (
    OptionalInput(
        "fixture_site",
        FIXTURE_SITE_ENV,
        "the URL of a public copy of the fixture site (careervp_local.fixture_site) for the deployed "
        "function to research",
    ),
)
GIVEN_TO_EVERY_RUN = frozenset({"run", "run24", "id_token", "forged_token"})
"""Placeholders `run_checks` fills on every target (the smoke user's token: `release.smoke_user`)."""


@dataclass(frozen=True)
class Check:
    feature: str
    name: str
    method: str
    path: str
    status: int | tuple[int, ...]
    """The expected HTTP status (or any of several, where the API may refuse in more than one way)."""
    body: Mapping[str, Any] | None = None
    signed: bool = False
    """Sign the body as Stripe does, with the configured webhook secret."""
    capture: Mapping[str, str] = field(default_factory=dict)
    """placeholder -> dotted path of a value in the JSON response."""
    expect: Mapping[str, str] = field(default_factory=dict)
    """dotted path -> expected value (placeholders allowed)."""
    mentions: str = ""
    """Text (placeholders allowed) the response body must contain."""
    authorization: str = "{id_token}"
    """The Authorization header (placeholders allowed); empty: none."""
    read_only: bool = False
    """Changes nothing whatever the API answers (a GET): no write, no model call, no email."""

    def placeholders(self) -> frozenset[str]:
        """Every `{name}` the request and its expectations use: what must be known before it runs."""
        texts = [self.path, self.mentions, self.authorization, *self.expect.values(), *_strings(self.body)]
        return frozenset(
            name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name is not None
        )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


WEBHOOK_EVENT: Mapping[str, Any] = {
    "id": "evt_smoke_{run}",
    "type": "customer.subscription.updated",
    "created": 1767225600,
    "livemode": False,
    "data": {
        "object": {
            "object": "subscription",
            "id": "sub_smoke_{run}",
            "customer": "cus_smoke",
            "status": "active",
        }
    },
}

CHECKS: tuple[Check, ...] = (
    Check("health", "service reports healthy", "GET", "/health", 200, authorization="", read_only=True),
    Check(
        "authentication",
        "a personal route refuses a request without a token",
        "GET",
        "/kb/documents",
        401,
        authorization="",
        read_only=True,
    ),
    Check(
        "authentication",
        "a personal route refuses a token that is not the pool's",
        "GET",
        "/kb/documents",
        401,
        authorization="{forged_token}",
        read_only=True,
    ),
    Check(
        "authentication",
        "the signed-in smoke user reaches a personal route",
        "GET",
        "/kb/documents",
        200,
        read_only=True,
    ),
    Check(
        "knowledge base",
        "upload a document",
        "POST",
        "/kb/documents",
        201,
        body={"title": "smoke {run}", "media_type": "text/plain", "content": "smoke test document {run}"},
        capture={"document_id": "document_id"},
    ),
    Check(
        "knowledge base",
        "list shows it",
        "GET",
        "/kb/documents",
        200,
        mentions="{document_id}",
        read_only=True,
    ),
    Check(
        "knowledge base",
        "read it back",
        "GET",
        "/kb/documents/{document_id}",
        200,
        expect={"content": "smoke test document {run}"},
        read_only=True,
    ),
    Check("knowledge base", "delete it", "DELETE", "/kb/documents/{document_id}", 204),
    Check("knowledge base", "it is gone", "GET", "/kb/documents/{document_id}", 404, read_only=True),
    Check(
        "gap analysis",
        "store answers",
        "POST",
        "/gap-analysis/responses",
        201,
        body={
            "analysis_id": "ga-{run24}",
            "answers": [{"question_id": "gap-smoke", "answer": "answered by the release smoke {run}"}],
        },
        capture={"response_id": "response_id"},
    ),
    Check(
        "gap analysis",
        "read answers back",
        "GET",
        "/gap-analysis/responses/{response_id}",
        200,
        expect={"analysis_id": "ga-{run24}"},
        read_only=True,
    ),
    Check(
        "company research",
        "research the fixture site",
        "POST",
        "/company-research",
        201,
        body={"company_name": "Fixture Robotics", "website": "{fixture_site}"},
        capture={"research_id": "research_id"},
        expect={
            "pages.1.title": "About Fixture Robotics",
            "skipped.0": "robots.txt of {fixture_site} disallows /private/board",
        },
    ),
    Check(
        "company research",
        "read the stored research back",
        "GET",
        "/company-research/{research_id}",
        200,
        expect={"snapshot_key": "research/snapshots/{research_id}.json"},
        read_only=True,
    ),
    Check(
        "interview prep",
        "prepare questions",
        "POST",
        "/interview-prep/questions",
        201,
        body={
            "role": "release smoke tester",
            "job_description": "Lead a small team and deliver releases on a deadline ({run}).",
            "count": 2,
        },
        capture={"session_id": "session_id"},
        expect={"questions.0.question_id": "q1", "questions.0.competency": "leadership"},
    ),
    Check(
        "interview prep",
        "store a STAR answer",
        "POST",
        "/interview-prep/responses",
        201,
        body={
            "session_id": "{session_id}",
            "answers": [
                {
                    "question_id": "q1",
                    "situation": "A release was late ({run}).",
                    "task": "I had to get it out.",
                    "action": "I split the work and paired on the riskiest part.",
                    "result": "It shipped 2 days early.",
                }
            ],
        },
        expect={"answered.0": "q1", "unanswered.0": "q2"},
    ),
    Check(
        "interview prep",
        "report uploaded to S3",
        "POST",
        "/interview-prep/report",
        201,
        body={"session_id": "{session_id}"},
        expect={"report_key": "interview/reports/{session_id}.md"},
    ),
    Check(
        "cv tailoring",
        "tailor a CV with the model, stored in S3",
        "POST",
        "/cv-tailoring",
        201,
        body={
            "cv": "Release Smoke\nBackend engineer ({run}): Python and AWS for 5 years; led a team of 3.",
            "job_description": "Python services on AWS and Kubernetes; you will lead a small team.",
        },
        expect={"missing_skills.0": "Kubernetes", "usage.model": MODEL},
        mentions='"document_key":"tailoring/cvs/',
    ),
    Check(
        "cover letter",
        "write a cover letter with the model, stored in S3",
        "POST",
        "/cover-letters",
        201,
        body={
            "cv": "Release Smoke\nBackend engineer ({run}): Python and AWS for 5 years.",
            "job_description": "Python services on AWS.",
            "company_name": "Fixture Robotics",
            "role": "Backend engineer",
            "max_words": 150,
        },
        expect={"usage.model": MODEL},
        mentions='"document_key":"letters/cover-letters/',
    ),
    Check(
        "billing",
        "signed webhook accepted",
        "POST",
        "/webhooks/stripe",
        200,
        WEBHOOK_EVENT,
        signed=True,
        authorization="",
        expect={"event_id": "evt_smoke_{run}"},
    ),
    Check(
        "billing",
        "replayed webhook acknowledged",
        "POST",
        "/webhooks/stripe",
        200,
        WEBHOOK_EVENT,
        signed=True,
        authorization="",
        expect={"event_id": "evt_smoke_{run}"},
    ),
    Check(
        "billing",
        "unsigned webhook refused",
        "POST",
        "/webhooks/stripe",
        # 400: the request validator refuses the missing Stripe-Signature header before the handler's 401
        (400, 401),
        WEBHOOK_EVENT,
        authorization="",
    ),
)


@dataclass(frozen=True)
class CheckResult:
    check: Check
    ok: bool
    detail: str

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        where = f"{self.check.method} {self.check.path}"
        return f"{mark} {self.check.feature}: {self.check.name} ({where}) {self.detail}"


def _fill(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, Mapping):
        return {key: _fill(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    return value


def _dig(document: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(document, list):
            document = document[int(part)] if int(part) < len(document) else None
        elif isinstance(document, Mapping):
            document = document.get(part)
        else:
            return None
    return document


def _request(base_url: str, check: Check, values: Mapping[str, str], secret: str) -> tuple[int, bytes]:
    headers = {"Accept": "application/json"}
    if authorization := _fill(check.authorization, values):
        headers["Authorization"] = authorization
    data = None
    if check.body is not None:
        body = _fill(check.body, values)
        data = json.dumps(body, separators=(",", ":")).encode()
        headers["Content-Type"] = "application/json"
        if check.signed:
            stamp = int(time.time())
            headers["Stripe-Signature"] = f"t={stamp},v1={compute_signature(data, stamp, secret)}"
    url = base_url.rstrip("/") + _fill(check.path, values)
    request = urllib.request.Request(url, data=data, headers=headers, method=check.method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the API under test)
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


def _judge(check: Check, status: int, payload: bytes, values: dict[str, str]) -> CheckResult:
    statuses = check.status if isinstance(check.status, tuple) else (check.status,)
    if status not in statuses:
        wanted = " or ".join(map(str, statuses))
        return CheckResult(check, False, f"expected HTTP {wanted}, got {status}: {payload[:300]!r}")
    document: Any = json.loads(payload) if payload.strip() else None
    for path, expected in check.expect.items():
        actual = _dig(document, path)
        if actual != _fill(expected, values):
            return CheckResult(check, False, f"{path} is {actual!r}, expected {_fill(expected, values)!r}")
    if check.mentions and _fill(check.mentions, values) not in payload.decode(errors="replace"):
        return CheckResult(check, False, f"response does not mention {_fill(check.mentions, values)!r}")
    for name, path in check.capture.items():
        values[name] = str(_dig(document, path))
    return CheckResult(check, True, f"HTTP {status}")


def _forged(token: str) -> str:
    """The smoke user's token with its subject changed and the signature kept: the pool never signed it."""
    header, _, rest = token.partition(".")
    payload, _, signature = rest.partition(".")
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return "not-a-token"
    forged = json.dumps({**claims, "sub": "someone-else"}, separators=(",", ":")).encode()
    return f"{header}.{base64.urlsafe_b64encode(forged).rstrip(b'=').decode()}.{signature}"


def checks_for(features: Iterable[str]) -> tuple[Check, ...]:
    """The checks of `features` (a phase's smoke, `careervp_ci.pipeline.phases`), in `CHECKS` order; a
    ValueError names a feature that has no check, so a phase never smokes empty."""
    wanted = tuple(features)
    if unknown := sorted(set(wanted) - {check.feature for check in CHECKS}):
        raise ValueError(f"no smoke checks for {', '.join(unknown)} in careervp_ci.release.smoke.CHECKS")
    if not wanted:
        raise ValueError("no smoke feature selected")
    return tuple(check for check in CHECKS if check.feature in wanted)


def run_checks(
    base_url: str, secret: str, checks: tuple[Check, ...] = CHECKS, given: Mapping[str, str] | None = None
) -> list[CheckResult]:
    """Run every check in order; stops at the first failure (later checks depend on earlier ones).
    `given` fills placeholders known before the run (`fixture_site`: the site company research reads;
    `id_token`: the smoke user's; without it, no check sends a token)."""
    run = uuid.uuid4().hex
    values = {"id_token": "", **(given or {}), "run": run, "run24": run[:24]}
    values["forged_token"] = _forged(values.get("id_token", ""))
    results = []
    for check in checks:
        try:
            status, payload = _request(base_url, check, values, secret)
            result = _judge(check, status, payload, values)
        except (OSError, ValueError, KeyError, TypeError) as error:
            result = CheckResult(check, False, f"request failed: {error}")
        results.append(result)
        if not result.ok:
            break
    return results


def smoke_passed(lines: list[str]) -> bool:
    """No line failed and at least one passed: a "not verifiable on this target" line (`n/v`) fails
    nothing and passes nothing."""
    return any(line.startswith("ok") for line in lines) and all(
        line.startswith(("ok", "n/v")) for line in lines
    )


def smoke_failure(lines: list[str]) -> str:
    """What the ledger records of a failed smoke: its first failing line (later lines may pass), or why
    none passed."""
    failed = next((line for line in lines if not line.startswith(("ok", "n/v"))), "")
    return failed or f"no smoke check passed ({smoke_summary(lines)})"


def smoke_summary(lines: list[str]) -> str:
    passed = sum(line.startswith("ok") for line in lines)
    unverifiable = sum(line.startswith("n/v") for line in lines)
    return f"{passed} smoke checks passed" + (
        f", {unverifiable} not verifiable on this target" if unverifiable else ""
    )
