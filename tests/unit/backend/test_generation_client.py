"""One model call through the real Anthropic SDK against the Messages-API stand-in (in memory, no socket):
what is sent, what it costs, the cost guard, and the retries within the time budget."""

from __future__ import annotations

from collections.abc import Callable

import anthropic
import httpx2
import pytest
from careervp.config import ConfigurationError
from careervp.generation import client
from careervp.generation.client import (
    MAX_ATTEMPTS,
    MAX_OUTPUT_TOKENS,
    MAX_REQUEST_COST_USD,
    MODEL,
    CostGuardError,
    ModelRefusedError,
    ModelUnavailableError,
    Writer,
    cost_usd,
    guard,
    worst_case_cost_usd,
)
from careervp.generation.prompt import Prompt
from careervp_local.messages_standin import REPLY_HEADING, MessagesStandIn

KEY = "test-model-key-client"
PROMPT = Prompt("You write short things.", "<task>\nSay hello.\n</task>")


class FakeTime:
    """A clock that only moves when the writer sleeps (or a test says so), and records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def sdk(transport: httpx2.BaseTransport, key: str = KEY) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        api_key=key,
        base_url="http://standin.invalid",
        max_retries=0,
        http_client=httpx2.Client(transport=transport),
    )


@pytest.fixture
def standin() -> MessagesStandIn:
    return MessagesStandIn(api_key=KEY)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def writer(standin: MessagesStandIn, fake_time: FakeTime) -> Writer:
    return Writer(sdk(standin.transport()), sleep=fake_time.sleep, clock=fake_time.clock, jitter=lambda: 0.5)


def test_a_call_sends_the_prompt_with_the_output_cap_and_prices_the_reply(
    writer: Writer, standin: MessagesStandIn
) -> None:
    written = writer.write(PROMPT)

    [sent] = standin.requests
    assert sent.path == "/v1/messages"
    assert sent.headers["authorization"] == "<redacted>" and sent.headers["anthropic-version"]
    assert sent.body == {
        "model": MODEL,
        "max_tokens": MAX_OUTPUT_TOKENS,
        "system": PROMPT.system,
        "messages": [{"role": "user", "content": PROMPT.user}],
    }
    assert written.text.startswith(REPLY_HEADING) and "Asked: You write short things." in written.text
    assert (written.model, written.truncated, written.attempts) == (MODEL, False, 1)
    assert written.usage.cost_usd == pytest.approx(
        (written.usage.input_tokens * 3 + written.usage.output_tokens * 15) / 1_000_000
    )


def test_the_same_prompt_gets_the_same_reply_and_another_prompt_another(writer: Writer) -> None:
    assert writer.write(PROMPT).text == writer.write(PROMPT).text
    assert (
        writer.write(Prompt(PROMPT.system, "<task>\nSay goodbye.\n</task>")).text != writer.write(PROMPT).text
    )


def test_an_answer_cut_by_the_output_cap_is_marked_truncated(standin: MessagesStandIn) -> None:
    short = Writer(sdk(standin.transport()), max_output_tokens=3)
    written = short.write(PROMPT)
    assert written.truncated is True
    assert written.usage.output_tokens == 3


def test_the_cost_guard_refuses_a_prompt_whose_worst_case_is_over_the_limit_without_calling(
    writer: Writer, standin: MessagesStandIn
) -> None:
    allowed_bytes = int((MAX_REQUEST_COST_USD - cost_usd(MODEL, 0, MAX_OUTPUT_TOKENS)) / 3 * 1_000_000)
    at_limit = Prompt("", "x" * allowed_bytes)
    assert guard(at_limit) == pytest.approx(MAX_REQUEST_COST_USD, abs=1e-5)
    over = Prompt("", "é" * (allowed_bytes // 2 + 1))  # two UTF-8 bytes each: bytes, not characters, count

    with pytest.raises(
        CostGuardError, match=r"could cost up to \$0\.100 .* over the \$0\.10 a request may cost"
    ):
        writer.write(over)

    assert standin.requests == []
    assert worst_case_cost_usd(over) > MAX_REQUEST_COST_USD


def test_an_overloaded_model_is_retried_after_the_wait_it_asks_for(
    writer: Writer, standin: MessagesStandIn, fake_time: FakeTime
) -> None:
    standin.fail_next(529, times=2, retry_after_ms=250)

    written = writer.write(PROMPT)

    assert written.attempts == 3
    assert len(standin.requests) == 3
    assert fake_time.sleeps == [0.25, 0.25]


def test_without_a_server_wait_the_backoff_grows_exponentially_with_jitter(
    writer: Writer, standin: MessagesStandIn, fake_time: FakeTime
) -> None:
    standin.fail_next(429, times=2, error_type="rate_limit_error", retry_after_ms=None)

    assert writer.write(PROMPT).attempts == 3
    assert fake_time.sleeps == [0.375, 0.75]  # steps 0.5 and 1.0: half fixed, half jitter (0.5 here)


def test_retries_stop_after_the_allowed_attempts_naming_the_last_failure(
    writer: Writer, standin: MessagesStandIn
) -> None:
    standin.fail_next(503, times=MAX_ATTEMPTS + 1, error_type="api_error")

    with pytest.raises(ModelUnavailableError, match=r"after 3 attempt\(s\); last: HTTP 503 api_error"):
        writer.write(PROMPT)
    assert len(standin.requests) == MAX_ATTEMPTS


def test_no_retry_starts_that_the_time_budget_could_not_finish(
    standin: MessagesStandIn, fake_time: FakeTime
) -> None:
    writer = Writer(
        sdk(standin.transport()), budget_seconds=5.0, sleep=fake_time.sleep, clock=fake_time.clock
    )
    standin.fail_next(529, retry_after_ms=2000)  # 5 s budget - 2 s wait leaves under MIN_ATTEMPT_SECONDS

    with pytest.raises(ModelUnavailableError, match=r"after 1 attempt\(s\); last: HTTP 529 overloaded_error"):
        writer.write(PROMPT)
    assert fake_time.sleeps == []


def test_each_attempt_may_take_only_what_is_left_of_the_budget(
    standin: MessagesStandIn, fake_time: FakeTime
) -> None:
    timeouts: list[object] = []
    inner = standin.transport()

    def spy(request: httpx2.Request) -> httpx2.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        fake_time.now += 3.0  # the attempt took 3 s
        return inner.handle_request(request)

    standin.fail_next(500, error_type="api_error", retry_after_ms=1000)
    writer = Writer(
        sdk(httpx2.MockTransport(spy)), budget_seconds=20.0, sleep=fake_time.sleep, clock=fake_time.clock
    )

    assert writer.write(PROMPT).attempts == 2
    assert timeouts == [pytest.approx(20.0), pytest.approx(16.0)]


def test_a_connection_failure_is_retried_then_reported(fake_time: FakeTime) -> None:
    attempts: list[int] = []

    def unreachable(request: httpx2.Request) -> httpx2.Response:
        attempts.append(1)
        raise httpx2.ConnectError("connection refused", request=request)

    writer = Writer(
        sdk(httpx2.MockTransport(unreachable)),
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        jitter=lambda: 0.0,
    )
    with pytest.raises(ModelUnavailableError, match=r"after 3 attempt\(s\); last: could not connect"):
        writer.write(PROMPT)
    assert len(attempts) == MAX_ATTEMPTS
    assert fake_time.sleeps == [0.25, 0.5]


def test_a_request_the_api_refuses_for_good_is_not_retried(writer: Writer, standin: MessagesStandIn) -> None:
    standin.fail_next(400, error_type="invalid_request_error")

    with pytest.raises(ModelRefusedError, match="refused the request: HTTP 400 invalid_request_error"):
        writer.write(PROMPT)
    assert len(standin.requests) == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda s: Writer(sdk(s.transport(), key="wrong-key")),
            r"refused the API key \(HTTP 401 authentication_error\)",
        ),
        (
            lambda s: (s.fail_next(404, error_type="not_found_error"), Writer(sdk(s.transport())))[1],
            "does not offer model 'claude-sonnet-4-5'",
        ),
    ],
    ids=["wrong key", "unknown model"],
)
def test_a_key_or_model_the_api_refuses_is_a_configuration_error(
    standin: MessagesStandIn, make: Callable[[MessagesStandIn], Writer], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make(standin).write(PROMPT)
    assert len(standin.requests) == 1


def test_a_model_without_a_price_is_refused_before_any_call(standin: MessagesStandIn) -> None:
    with pytest.raises(ConfigurationError, match="no price for model 'claude-unpriced'"):
        Writer(sdk(standin.transport()), model="claude-unpriced")


def test_the_writer_reads_its_key_and_endpoint_from_the_environment(
    standin: MessagesStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    inner = standin.transport()

    def spy(request: httpx2.Request) -> httpx2.Response:
        seen.append(str(request.url))
        return inner.handle_request(request)

    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://configured-standin.invalid:8123")
    monkeypatch.setattr(
        client, "http_client_factory", lambda: httpx2.Client(transport=httpx2.MockTransport(spy))
    )

    assert client.writer_from_environment().write(PROMPT).text.startswith(REPLY_HEADING)
    assert seen == ["http://configured-standin.invalid:8123/v1/messages"]


def test_without_a_key_the_writer_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY_ARN", raising=False)
    with pytest.raises(
        ConfigurationError, match="neither ANTHROPIC_API_KEY nor ANTHROPIC_API_KEY_ARN is set"
    ):
        client.writer_from_environment()
