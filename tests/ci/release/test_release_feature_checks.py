"""Post-deploy feature checks: what the emulator cannot show is reported as not verifiable, never passed,
and the smoke verdict counts such a line as neither a pass nor a failure."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from careervp_ci.release.cloudformation import AwsSession
from careervp_ci.release.emulator import EMULATOR_CREDENTIALS
from careervp_ci.release.feature_checks import (
    CHECKS,
    CHECKS_BY_NAME,
    EMULATOR_HAS_NO_WAF,
    EMULATOR_RUNS_NO_LAMBDA,
    DeployedTarget,
    canary_function_runs,
    run_feature_checks,
    waf_blocks_known_bad_path,
)
from careervp_ci.release.smoke import smoke_passed, smoke_summary
from careervp_infra.waf_rules import BLOCK_REASON, CLIENT_BLOCK_REASON_HEADER
from support.fixed_http import fixed_http
from support.moto_server import clean_moto_server

HTTP_ONLY = tuple(
    CHECKS_BY_NAME[name]
    for name in ("canary_probe_passes", "canary_function_runs", "waf_blocks_known_bad_path")
)
"""The checks that need no AWS session on the emulator (the notification checks get a moto server below)."""


WITHOUT_THE_SPA = tuple(check for check in CHECKS if check.feature != "frontend")
"""The SPA's checks need a deployed SPA (tests/ci/release/test_release_spa.py gives them one)."""


def emulator_target(base_url: str, endpoint: str | None = None) -> DeployedTarget:
    session = AwsSession(region="us-east-1", endpoint=endpoint)
    return DeployedTarget(base_url, "dev", emulator=True, session=session)


def test_on_the_emulator_the_probe_runs_and_the_lambda_canary_is_not_verifiable() -> None:
    with fixed_http(200, b'{"status": "ok"}') as url:
        lines = run_feature_checks(emulator_target(url), HTTP_ONLY)

    assert lines == [
        "ok   monitoring: synthetic health probe finds the API healthy HTTP 200, status 'ok'",
        "n/v  monitoring: deployed canary function reports healthy not verifiable on this target: "
        + EMULATOR_RUNS_NO_LAMBDA,
        "n/v  security: WAF blocks a known-bad path not verifiable on this target: " + EMULATOR_HAS_NO_WAF,
    ]
    assert smoke_passed(lines)
    assert smoke_summary(lines) == "1 smoke checks passed, 2 not verifiable on this target"


def test_on_the_emulator_a_notification_is_published_and_its_email_recorded_by_ses() -> None:
    with clean_moto_server() as endpoint, fixed_http(200, b'{"status": "ok"}') as url:
        sns = boto3.client("sns", endpoint_url=endpoint, region_name="us-east-1")
        sns.create_topic(Name="careervp-dev-notifications-events")
        lines = run_feature_checks(emulator_target(url, endpoint), WITHOUT_THE_SPA)

    notifications = [line for line in lines if " notifications: " in line]
    assert notifications[0].startswith("ok   notifications: the topic accepts an event SNS message ")
    assert notifications[1].startswith(
        "ok   notifications: an email to the sandbox address reaches SES SES accepted message "
    )
    assert notifications[1].endswith(
        "(send ran here: no Lambda in the emulator), recorded to success@simulator.amazonses.com"
    )
    assert notifications[2].startswith(
        "n/v  notifications: the notifier is subscribed to the topic not verifiable"
    )
    assert smoke_passed(lines)


def test_on_the_emulator_an_unreadable_sent_mail_record_leaves_the_recipient_not_verifiable() -> None:
    with clean_moto_server() as endpoint:
        # any Lambda function in moto makes /moto-api/data.json fail (it asks Docker about the function)
        iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
        role = iam.create_role(RoleName="any", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        package = io.BytesIO()
        with zipfile.ZipFile(package, "w") as archive:
            archive.writestr("index.py", "def handler(event, context):\n    return None\n")
        boto3.client("lambda", endpoint_url=endpoint, region_name="us-east-1").create_function(
            FunctionName="any",
            Runtime="python3.13",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": package.getvalue()},
        )
        [line] = run_feature_checks(
            emulator_target("http://unused", endpoint), (CHECKS_BY_NAME["notification_reaches_ses"],)
        )

    assert line.startswith(
        "n/v  notifications: an email to the sandbox address reaches SES SES accepted message "
    )
    assert (
        "its recipient is not verifiable on this target: the emulator's sent-mail record is unreadable"
        in line
    )


def test_on_the_emulator_a_missing_topic_fails_the_publish_check() -> None:
    with clean_moto_server() as endpoint:
        [line] = run_feature_checks(
            emulator_target("http://unused", endpoint), (CHECKS_BY_NAME["notification_event_published"],)
        )

    assert line.startswith("FAIL notifications: the topic accepts an event ")
    assert "NotFound" in line


def test_an_unhealthy_api_fails_the_probe_check() -> None:
    with fixed_http(503, b'{"status": "degraded"}') as url:
        [probe, *_] = run_feature_checks(emulator_target(url), HTTP_ONLY)

    assert probe.startswith("FAIL monitoring: synthetic health probe")
    assert "HTTP 503" in probe


def test_a_check_that_raises_fails_with_the_error_and_the_rest_still_run() -> None:
    target = emulator_target("not-a-url")
    lines = run_feature_checks(target, HTTP_ONLY)

    assert lines[0].startswith("FAIL monitoring: synthetic health probe finds the API healthy ValueError:")
    assert lines[1].startswith("n/v ")


@pytest.mark.parametrize(
    ("lines", "passed"),
    [
        (["ok   a", "n/v  b"], True),
        (["n/v  b"], False),
        ([], False),
        (["ok   a", "FAIL b", "n/v  c"], False),
    ],
)
def test_smoke_passes_only_with_a_pass_and_no_failure(lines: list[str], passed: bool) -> None:
    assert smoke_passed(lines) is passed


class LambdaReplying:
    """The one Lambda call the AWS branch makes, answered with a fixed payload."""

    def __init__(self, payload: dict[str, Any], function_error: str | None = None) -> None:
        self.payload, self.function_error, self.invoked = payload, function_error, ""

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        self.invoked = FunctionName
        reply: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.payload).encode())}
        if self.function_error:
            reply["FunctionError"] = self.function_error
        return reply


class SessionWith(AwsSession):
    def __init__(self, client: LambdaReplying) -> None:
        super().__init__(region="us-east-1")
        self.lambda_client = client

    def client(self, service: str) -> Any:
        assert service == "lambda"
        return self.lambda_client


@pytest.mark.parametrize(
    ("payload", "error", "status"),
    [
        ({"healthy": True, "detail": "HTTP 200, status 'ok'"}, None, "ok"),
        ({"healthy": False, "detail": "HTTP 503, status 'degraded'"}, None, "FAIL"),
        ({"errorMessage": "boom"}, "Unhandled", "FAIL"),
    ],
)
def test_on_aws_the_deployed_canary_is_invoked_and_judged_by_its_answer(
    payload: dict[str, Any], error: str | None, status: str
) -> None:
    client = LambdaReplying(payload, error)
    target = DeployedTarget("https://api.example", "staging", emulator=False, session=SessionWith(client))

    outcome = canary_function_runs(target)

    assert client.invoked == "careervp-staging-monitoring-canary"
    assert outcome.status == status


def test_checks_are_addressable_by_function_name_for_phase_entries() -> None:
    assert set(CHECKS_BY_NAME) == {
        "canary_probe_passes",
        "canary_function_runs",
        "waf_blocks_known_bad_path",
        "notification_event_published",
        "notification_reaches_ses",
        "notifier_subscribed",
        "spa_config_names_the_api",
        "spa_shows_api_health",
        "spa_signs_in_and_lists_documents",
        "spa_lists_a_stored_document",
        "cloudfront_serves_spa",
    }


def test_on_the_emulator_what_only_aws_can_answer_is_not_verifiable_and_not_run() -> None:
    """The emulator target's session reaches nothing: a check that ran would fail, not end n/v."""
    target = emulator_target("http://127.0.0.1:9", endpoint="http://127.0.0.1:9")
    blind = [check for check in CHECKS if check.emulator_cannot_show]

    outcomes = [check.outcome(target) for check in blind]

    assert {check.run.__name__ for check in blind} == {
        "canary_function_runs",
        "waf_blocks_known_bad_path",
        "notifier_subscribed",
        "cloudfront_serves_spa",
    }
    assert [(outcome.status, outcome.detail) for outcome in outcomes] == [
        ("not verifiable", f"not verifiable on this target: {check.emulator_cannot_show}") for check in blind
    ]


@pytest.mark.parametrize(
    ("status", "headers", "verdict"),
    [
        (403, {CLIENT_BLOCK_REASON_HEADER: BLOCK_REASON}, "ok"),
        (403, {}, "FAIL"),  # API Gateway's own answer to an unknown route: not proof of a WAF block
        (200, {}, "FAIL"),
    ],
)
def test_on_aws_only_wafs_own_block_passes(status: int, headers: dict[str, str], verdict: str) -> None:
    with fixed_http(status, b'{"message": "Forbidden"}', headers) as url:
        target = DeployedTarget(
            f"{url}/v1/", "staging", emulator=False, session=AwsSession(region="us-east-1")
        )
        outcome = waf_blocks_known_bad_path(target)

    assert outcome.status == verdict
    assert outcome.detail.startswith(f"GET /.env: HTTP {status}")


def test_the_emulators_credentials_mask_no_word_of_a_smoke_line() -> None:
    """Dagger (and the rehearsal) print *** for a secret's value wherever it appears: credentials spelled
    "emulator" blanked that word out of every line that explains what the emulator cannot show."""
    line = CHECKS_BY_NAME["canary_function_runs"].outcome(emulator_target("http://127.0.0.1:9")).detail
    assert "emulator" in line
    assert not [value for value in EMULATOR_CREDENTIALS.values() if value in line]
