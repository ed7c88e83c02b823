"""The Slack stand-in takes what the drift command posts, as Slack's webhook would."""

from __future__ import annotations

import urllib.error
import urllib.request

from careervp_ci.rehearsal.slack import slack_stand_in
from careervp_ci.release.drift import post_to_slack


def test_the_drift_commands_post_reaches_the_stand_in_and_a_payload_without_text_is_refused() -> None:
    logged: list[str] = []
    with slack_stand_in() as slack:
        assert post_to_slack("## Drift: dev", logged.append, {"SLACK_WEBHOOK": slack.url}) is True
        request = urllib.request.Request(slack.url, data=b"{}", method="POST")  # noqa: S310
        try:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310
            refused = False
        except urllib.error.HTTPError as error:
            refused = error.code == 400
    assert slack.messages == ["## Drift: dev"]
    assert refused and logged == []
