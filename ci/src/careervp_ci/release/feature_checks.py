"""Post-deploy checks a scripted HTTP exchange cannot express, plain functions grouped by feature, run
after the HTTP smoke checks (`release.smoke`) and reported in the same line format.

Each asks the target what it can show and ends ok, FAIL, or not verifiable on this target with the reason:
on the emulator, Lambda does not run and the API is served locally, so a check only AWS can answer names
why (`FeatureCheck.emulator_cannot_show`) and is reported not verifiable there, never passed. The checks
are plain functions so a phase can name the ones it owns (`CHECKS_BY_NAME`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError
from careervp.canary import probe_health
from careervp.notifications.delivery import SANDBOX_RECIPIENT, NotificationEvent, publish, send
from careervp.resources import CANARY_FUNCTION, NOTIFIER_FUNCTION
from careervp_infra.naming import physical_name
from careervp_infra.notification_identity import sender_address, sender_domain
from careervp_infra.waf_rules import BLOCK_REASON, CLIENT_BLOCK_REASON_HEADER, PROBE_PATH

from careervp_ci.errors import CareervpError
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.smoke_user import SmokeUser
from careervp_ci.release.spa import CONFIG, distribution_url, sign_in, site_config
from careervp_ci.release.spa_smoke import (
    DocumentsPage,
    deployed_files,
    load_spa,
    served_config,
    sign_in_on_spa,
    stored_document,
)

Status = Literal["ok", "FAIL", "not verifiable"]
MARKS: dict[Status, str] = {"ok": "ok  ", "FAIL": "FAIL", "not verifiable": "n/v "}
NOT_ON_THIS_TARGET = "not verifiable on this target"
EMULATOR_RUNS_NO_LAMBDA = "Lambda does not run in the emulator"
EMULATOR_HAS_NO_WAF = (
    "moto's CloudFormation creates no web ACL, and the emulator's API is served locally, in front of no WAF"
)
EMULATOR_SKIPS_SUBSCRIPTIONS = (
    "moto's CloudFormation skips SNS subscriptions, and Lambda does not run in the emulator"
)
EMULATOR_HAS_NO_CDN = "moto answers CloudFront's API (the deploy's invalidation) but serves no CDN"


@dataclass(frozen=True)
class DeployedTarget:
    """What a check may ask: the API as served, and the environment's AWS (or emulator) session; for the
    SPA, the stack's outputs, where the browser loads it and where its screenshot goes; and the smoke user,
    signed in, for the checks that sign in (`FeatureCheck.signs_in`)."""

    base_url: str
    stack_env: str
    emulator: bool
    session: AwsSession
    outputs: Mapping[str, str] = field(default_factory=dict)
    spa_url: str = ""
    """Where the browser loads the SPA: the local stand-in on an emulator; on AWS, empty: the stack's
    distribution, whose origin the deployed API allows in CORS (`careervp_infra.service_stack`)."""
    reports: Path = Path(".reports/smoke")
    user: SmokeUser | None = None


@dataclass(frozen=True)
class Outcome:
    status: Status
    detail: str


@dataclass(frozen=True)
class FeatureCheck:
    feature: str
    name: str
    run: Callable[[DeployedTarget], Outcome]
    emulator_cannot_show: str = ""
    """Why the emulator cannot answer it: there it is not verifiable, and `run` is not called."""
    read_only: bool = False
    """Changes nothing in the environment: no invocation that writes (a metric, a message), no email."""
    signs_in: bool = False
    """Needs the smoke user (`DeployedTarget.user`): the smoke signs one in for it."""

    def outcome(self, target: DeployedTarget) -> Outcome:
        if target.emulator and self.emulator_cannot_show:
            return Outcome("not verifiable", f"{NOT_ON_THIS_TARGET}: {self.emulator_cannot_show}")
        return self.run(target)

    def line(self, outcome: Outcome) -> str:
        return f"{MARKS[outcome.status]} {self.feature}: {self.name} {outcome.detail}"


def canary_probe_passes(target: DeployedTarget) -> Outcome:
    """The canary's own probe (`careervp.canary`) against the API as served here finds it healthy."""
    result = probe_health(target.base_url.rstrip("/") + "/health")
    return Outcome("ok" if result.healthy else "FAIL", result.detail)


def canary_function_runs(target: DeployedTarget) -> Outcome:
    """The deployed canary function, invoked once, reaches the API and reports it healthy."""
    name = physical_name(target.stack_env, CANARY_FUNCTION.component, CANARY_FUNCTION.resource)
    reply = target.session.client("lambda").invoke(FunctionName=name, Payload=b"{}")
    payload: dict[str, Any] = json.loads(reply["Payload"].read() or b"{}")
    if reply.get("FunctionError"):
        return Outcome("FAIL", f"{name} failed: {payload.get('errorMessage', payload)}")
    healthy = payload.get("healthy") is True
    return Outcome("ok" if healthy else "FAIL", f"{name}: {payload.get('detail', payload)}")


def waf_blocks_known_bad_path(target: DeployedTarget) -> Outcome:
    """A request for a path the project rule blocks is refused by WAF itself (its header says so), not by
    API Gateway's own 403 for an unknown route."""
    url = target.base_url.rstrip("/") + PROBE_PATH
    request = urllib.request.Request(url, method="GET")  # noqa: S310 (the API under test)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, reason = int(response.status), response.headers.get(CLIENT_BLOCK_REASON_HEADER)
    except urllib.error.HTTPError as error:
        status, reason = int(error.code), error.headers.get(CLIENT_BLOCK_REASON_HEADER)
    if status == 403 and reason == BLOCK_REASON:
        return Outcome("ok", f"GET {PROBE_PATH}: HTTP 403, {CLIENT_BLOCK_REASON_HEADER}: {reason}")
    return Outcome("FAIL", f"GET {PROBE_PATH}: HTTP {status}, {CLIENT_BLOCK_REASON_HEADER}: {reason!r}")


def _smoke_event() -> NotificationEvent:
    return NotificationEvent(
        template="smoke-test", recipient=SANDBOX_RECIPIENT, values={"run": uuid.uuid4().hex}
    )


def _topic_arn(target: DeployedTarget) -> str:
    name = physical_name(target.stack_env, "notifications", "events")
    return f"arn:aws:sns:{target.session.region}:{target.session.resolve_account()}:{name}"


def notification_event_published(target: DeployedTarget) -> Outcome:
    """The notifications topic accepts an event, as any producer would publish it."""
    message_id = publish(target.session.client("sns"), _topic_arn(target), _smoke_event())
    return Outcome("ok", f"SNS message {message_id}")


def notification_reaches_ses(target: DeployedTarget) -> Outcome:
    """The notifier renders an event and SES accepts the email to the sandbox address. On AWS the deployed
    function does it. On the emulator (no Lambda) its `send` runs here: SES must count the message, and the
    emulator's record of sent mail (`/moto-api/data.json`) must show its recipient and rendered subject;
    when that record cannot be read, the recipient is not verifiable there."""
    event = _smoke_event()
    if not target.emulator:
        name = physical_name(target.stack_env, NOTIFIER_FUNCTION.component, NOTIFIER_FUNCTION.resource)
        records = {"Records": [{"Sns": {"Message": event.model_dump_json()}}]}
        reply = target.session.client("lambda").invoke(
            FunctionName=name, Payload=json.dumps(records).encode()
        )
        payload: dict[str, Any] = json.loads(reply["Payload"].read() or b"{}")
        if reply.get("FunctionError") or len(payload.get("message_ids", [])) != 1:
            return Outcome("FAIL", f"{name}: {payload.get('errorMessage', payload)}")
        return Outcome("ok", f"{name} sent SES message {payload['message_ids'][0]} to {SANDBOX_RECIPIENT}")
    ses = target.session.client("ses")
    # moto's CloudFormation skips the stack's SES identity (verify.blind_spots); register it as declared
    ses.verify_domain_identity(Domain=sender_domain(target.stack_env))
    counted = float(ses.get_send_quota()["SentLast24Hours"])
    message_id = send(ses, sender_address(target.stack_env), event)
    if float(ses.get_send_quota()["SentLast24Hours"]) != counted + 1:
        return Outcome("FAIL", f"SES returned message {message_id} but did not count a send")
    accepted = f"SES accepted message {message_id} (send ran here: no Lambda in the emulator)"
    try:
        recorded = _emulator_sent_message(target, message_id)
    except (OSError, ValueError) as error:
        return Outcome(
            "not verifiable",
            f"{accepted}; its recipient is {NOT_ON_THIS_TARGET}: the emulator's sent-mail record "
            f"is unreadable ({error})",
        )
    to = (recorded or {}).get("destinations", {}).get("ToAddresses")
    subject = (recorded or {}).get("subject", "")
    if to != [SANDBOX_RECIPIENT] or event.values["run"] not in subject:
        return Outcome("FAIL", f"{accepted}, but the emulator recorded it to {to} with subject {subject!r}")
    return Outcome("ok", f"{accepted}, recorded to {SANDBOX_RECIPIENT}")


def _emulator_sent_message(target: DeployedTarget, message_id: str) -> dict[str, Any] | None:
    url = f"{target.session.endpoint}/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (the emulator's own endpoint)
        data: dict[str, Any] = json.loads(response.read())
    messages = data.get("ses", {}).get("Message", [])
    return next((message for message in messages if message.get("id") == message_id), None)


def notifier_subscribed(target: DeployedTarget) -> Outcome:
    """SNS delivers the topic's email events to the deployed notifier."""
    name = physical_name(target.stack_env, NOTIFIER_FUNCTION.component, NOTIFIER_FUNCTION.resource)
    found = target.session.client("sns").list_subscriptions_by_topic(TopicArn=_topic_arn(target))
    endpoints = [item["Endpoint"] for item in found["Subscriptions"] if item["Protocol"] == "lambda"]
    if any(endpoint.endswith(f":function:{name}") for endpoint in endpoints):
        return Outcome("ok", f"{name} subscribed")
    return Outcome("FAIL", f"{name} is not subscribed (lambda endpoints: {endpoints})")


def spa_config_names_the_api(target: DeployedTarget) -> Outcome:
    """The SPA's bucket holds the environment's config.json, naming the stack's API and where its users
    sign in."""
    deployed = deployed_files(target.session, target.outputs).get(CONFIG)
    signing_in = sign_in(
        target.session, target.outputs, target.stack_env, emulator=target.emulator, log=lambda _: None
    )
    expected = site_config(target.outputs["ApiUrl"], target.stack_env, signing_in)
    if deployed != expected:
        return Outcome("FAIL", f"{CONFIG} in the SPA's bucket is {deployed!r}, expected {expected!r}")
    return Outcome("ok", f"{CONFIG} names {target.outputs['ApiUrl']} and app client {signing_in.client_id}")


def spa_shows_api_health(target: DeployedTarget) -> Outcome:
    """Headless Chromium loads the SPA, which calls GET /health; the page must say the API is healthy in
    this environment."""
    screenshot = target.reports / f"spa-{target.stack_env}.png"
    url = target.spa_url or distribution_url(target.session, target.outputs)
    page = load_spa(url, screenshot)
    where = (
        f"{url} (the emulator bucket's files served on 127.0.0.1, config.json pointed at the locally "
        "served API: no CDN and no Lambda in the emulator)"
        if target.emulator
        else url
    )
    detail = f"{where} shows {page.text!r}; screenshot {page.screenshot}"
    healthy = page.state == "ok" and page.text.startswith(f"API healthy ({target.stack_env},")
    return Outcome("ok" if healthy else "FAIL", detail)


def spa_signs_in_and_lists_documents(target: DeployedTarget) -> Outcome:
    """Headless Chromium signs the smoke user in through the SPA's form (against the pool) and the page
    lists the user's documents from the API, whatever they are: all a read-only smoke may do."""
    page = _signed_in_page(target, "spa-signin")
    return Outcome("ok" if page.state == "ok" else "FAIL", _shown(target, page))


def spa_lists_a_stored_document(target: DeployedTarget) -> Outcome:
    """A document stored through the API as the smoke user (deleted afterwards) is on the list the SPA
    shows once that user signs in through its form."""
    user = _user(target)
    title = f"spa smoke {uuid.uuid4().hex[:12]}"
    with stored_document(target.base_url, user.id_token, title) as document_id:
        page = _signed_in_page(target, "spa-documents")
    detail = _shown(target, page)
    if page.state != "ok" or (document_id, title) not in page.documents:
        return Outcome("FAIL", f"{detail}; expected it to list {title!r} ({document_id})")
    return Outcome("ok", detail)


def _user(target: DeployedTarget) -> SmokeUser:
    if target.user is None:
        raise CareervpError("no smoke user signed in for the SPA's sign-in check (FeatureCheck.signs_in)")
    return target.user


def _signed_in_page(target: DeployedTarget, name: str) -> DocumentsPage:
    user = _user(target)
    url = target.spa_url or distribution_url(target.session, target.outputs)
    screenshot = target.reports / f"{name}-{target.stack_env}.png"
    return sign_in_on_spa(url, user.email, user.password, screenshot)


def _shown(target: DeployedTarget, page: DocumentsPage) -> str:
    """What the page showed, for the line: its text, the titles it listed, the screenshot."""
    titles = [title for _, title in page.documents]
    where = " (served on 127.0.0.1 against the locally served API)" if target.emulator else ""
    return f"the SPA{where} shows {page.text!r}, listing {titles}; screenshot {page.screenshot}"


def cloudfront_serves_spa(target: DeployedTarget) -> Outcome:
    """The distribution serves the config.json the deploy uploaded (after the deploy's invalidation)."""
    served = served_config(distribution_url(target.session, target.outputs))
    deployed = deployed_files(target.session, target.outputs).get(CONFIG)
    if served != deployed:
        return Outcome("FAIL", f"CloudFront serves {CONFIG} {served!r}, the bucket holds {deployed!r}")
    return Outcome("ok", f"CloudFront serves the deployed {CONFIG}")


CHECKS: tuple[FeatureCheck, ...] = (
    FeatureCheck(
        "monitoring", "synthetic health probe finds the API healthy", canary_probe_passes, read_only=True
    ),
    FeatureCheck(
        # the function publishes its health metric: one more data point in the alarm's series
        "monitoring",
        "deployed canary function reports healthy",
        canary_function_runs,
        EMULATOR_RUNS_NO_LAMBDA,
    ),
    FeatureCheck(
        "security",
        "WAF blocks a known-bad path",
        waf_blocks_known_bad_path,
        EMULATOR_HAS_NO_WAF,
        read_only=True,
    ),
    FeatureCheck("notifications", "the topic accepts an event", notification_event_published),
    FeatureCheck("notifications", "an email to the sandbox address reaches SES", notification_reaches_ses),
    FeatureCheck(
        "notifications",
        "the notifier is subscribed to the topic",
        notifier_subscribed,
        EMULATOR_SKIPS_SUBSCRIPTIONS,
        read_only=True,
    ),
    FeatureCheck("frontend", "config.json names the API", spa_config_names_the_api, read_only=True),
    FeatureCheck(
        "frontend", "the SPA in Chromium shows the API healthy", spa_shows_api_health, read_only=True
    ),
    FeatureCheck(
        "frontend",
        "the SPA in Chromium signs the smoke user in and lists their documents",
        spa_signs_in_and_lists_documents,
        read_only=True,
        signs_in=True,
    ),
    FeatureCheck(
        # stores a document through the API (and deletes it) for the page to list
        "frontend",
        "the SPA in Chromium lists a document stored through the API",
        spa_lists_a_stored_document,
        signs_in=True,
    ),
    FeatureCheck(
        "frontend",
        "CloudFront serves the deployed SPA",
        cloudfront_serves_spa,
        EMULATOR_HAS_NO_CDN,
        read_only=True,
    ),
)
CHECKS_BY_NAME: dict[str, FeatureCheck] = {check.run.__name__: check for check in CHECKS}


def run_feature_checks(target: DeployedTarget, checks: tuple[FeatureCheck, ...] = CHECKS) -> list[str]:
    """Every check's line; a check that raises is a FAIL naming the error, and the rest still run."""
    lines = []
    for check in checks:
        try:
            outcome = check.outcome(target)
        except (CareervpError, OSError, ValueError, KeyError, ClientError, BotoCoreError) as error:
            outcome = Outcome("FAIL", f"{type(error).__name__}: {error}")
        lines.append(check.line(outcome))
    return lines
