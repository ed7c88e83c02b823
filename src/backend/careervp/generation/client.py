"""One model call, `Writer.write(prompt)`: Anthropic's Messages API through the official SDK, inside a cost
guard and a time budget, with what it cost emitted as metrics.

- Cost guard: a call asks for at most `MAX_OUTPUT_TOKENS`. Before it is made, its worst case is priced
  (every UTF-8 byte of the prompt one input token, the whole output allowance used); a prompt whose worst
  case is over `MAX_REQUEST_COST_USD` is refused (`CostGuardError`) and nothing is sent. After it, what the
  reply's usage says it cost is emitted (`careervp.observability.record_model_cost`) beside the request's
  compute cost.
- Retries: the SDK's own are off (`max_retries=0`) so that one budget holds. A failure worth retrying (no
  connection, a timeout, HTTP 408, 409, 429, 5xx, 529 overloaded) is retried after the server's
  retry-after(-ms) or an exponential backoff with jitter, for at most `MAX_ATTEMPTS` attempts within
  `TIME_BUDGET_SECONDS`; each attempt may take what is left of the budget. So a function that calls the
  model (28 s, `careervp.resources.MODEL_TIMEOUT_SECONDS`) never outlives API Gateway (29 s).
- Endpoint: $ANTHROPIC_BASE_URL when set (tests, `careervp-ci serve`, the emulator smoke: the stand-in of
  `careervp_local.messages_standin`), else the SDK's default, Anthropic's API (deployed).

The SDK is imported on the first call, not with the handler: cold starts of requests that are refused
before the model (bad input) do not pay for it.
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from careervp.config import ConfigurationError
from careervp.generation.key import api_key
from careervp.generation.prompt import Prompt
from careervp.observability import logger, record_model_cost
from careervp.resources import ENV_VAR_ANTHROPIC_BASE_URL

if TYPE_CHECKING:
    import anthropic
    import httpx2

MODEL = "claude-sonnet-4-5"


@dataclass(frozen=True)
class ModelPrice:
    input_usd_per_mtok: float
    output_usd_per_mtok: float


PRICES: Mapping[str, ModelPrice] = {MODEL: ModelPrice(input_usd_per_mtok=3.0, output_usd_per_mtok=15.0)}
"""USD per million tokens, from Anthropic's price list."""
MAX_OUTPUT_TOKENS = 1024
MAX_REQUEST_COST_USD = 0.10
"""No single request may be able to cost more than this (the worst case, before the call)."""
MAX_ATTEMPTS = 3
TIME_BUDGET_SECONDS = 24.0
MIN_ATTEMPT_SECONDS = 4.0
"""A retry that would be left less than this is not started: it could not finish."""
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 4.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})
"""And every 5xx (529: overloaded)."""


class CostGuardError(ValueError):
    """The prompt could cost more than one request may; nothing was sent."""


class ModelUnavailableError(RuntimeError):
    """The model did not answer within the attempts and time allowed; the message names the last failure."""


class KeyRefusedError(ConfigurationError):
    """The model's API refused the API key (HTTP 401 or 403)."""


class ModelRefusedError(RuntimeError):
    """The model's API refused the request in a way no retry changes, or answered without text."""


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class Written:
    text: str
    model: str
    truncated: bool
    """The output allowance ran out (stop reason `max_tokens`): the text ends early."""
    usage: Usage
    attempts: int


def price(model: str) -> ModelPrice:
    try:
        return PRICES[model]
    except KeyError:
        raise ConfigurationError(f"no price for model {model!r}; add it to PRICES before using it") from None


def cost_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    rates = price(model)
    return (input_tokens * rates.input_usd_per_mtok + output_tokens * rates.output_usd_per_mtok) / 1_000_000


def worst_case_cost_usd(prompt: Prompt, model: str = MODEL, max_tokens: int = MAX_OUTPUT_TOKENS) -> float:
    """What the call could cost at most: each prompt byte a token, every allowed output token used."""
    return cost_usd(model, prompt.size_bytes, max_tokens)


def guard(
    prompt: Prompt,
    model: str = MODEL,
    max_tokens: int = MAX_OUTPUT_TOKENS,
    limit_usd: float = MAX_REQUEST_COST_USD,
) -> float:
    """The worst-case cost, or CostGuardError when it is over `limit_usd`."""
    worst = worst_case_cost_usd(prompt, model, max_tokens)
    if worst > limit_usd:
        raise CostGuardError(
            f"the request could cost up to ${worst:.3f} ({prompt.size_bytes} bytes of prompt), over the "
            f"${limit_usd:.2f} a request may cost; shorten the CV or the job description"
        )
    return worst


def _retryable(status: int) -> bool:
    return status in RETRYABLE_STATUSES or status >= 500


def _server_wait(headers: Mapping[str, str]) -> float | None:
    """The wait the server asked for (retry-after-ms, else retry-after in seconds), if it asked."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            wait = float(headers.get(name, "")) / scale
        except ValueError:
            continue
        if math.isfinite(wait) and wait >= 0:
            return wait
    return None


def _describe(error: anthropic.APIStatusError) -> str:
    body: Any = error.body
    detail = body.get("error", {}) if isinstance(body, dict) else {}
    kind = detail.get("type", "") if isinstance(detail, dict) else ""
    return f"HTTP {error.status_code}" + (f" {kind}" if kind else "")


class Writer:
    """Writes text for prompts with one model; `sleep`, `clock` and `jitter` are injectable for tests."""

    def __init__(
        self,
        client: anthropic.Anthropic,
        *,
        model: str = MODEL,
        max_output_tokens: int = MAX_OUTPUT_TOKENS,
        budget_seconds: float = TIME_BUDGET_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        price(model)
        self._client = client
        self.model = model
        self.max_output_tokens = max_output_tokens
        self._budget = budget_seconds
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: half the step fixed, half random."""
        step = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** (attempt - 1))
        return step / 2 + step / 2 * self._jitter()

    def write(self, prompt: Prompt) -> Written:
        """The model's text for `prompt`; CostGuardError before any call, ModelUnavailableError after the
        allowed attempts, ModelRefusedError for a refusal no retry changes, ConfigurationError for a key or
        model the API does not accept."""
        import anthropic  # noqa: PLC0415  (the SDK loads on the first call that needs it)

        guard(prompt, self.model, self.max_output_tokens)
        deadline = self._clock() + self._budget
        attempt = 0
        while True:
            attempt += 1
            try:
                message = self._client.messages.create(
                    model=self.model,
                    max_tokens=self.max_output_tokens,
                    system=prompt.system,
                    messages=[{"role": "user", "content": prompt.user}],
                    timeout=max(0.001, deadline - self._clock()),
                )
            except (anthropic.AuthenticationError, anthropic.PermissionDeniedError) as error:
                raise KeyRefusedError(
                    f"the model API refused the API key ({_describe(error)}); check the Anthropic API key"
                ) from None
            except anthropic.NotFoundError as error:
                raise ConfigurationError(
                    f"the model API does not offer model {self.model!r} ({_describe(error)})"
                ) from None
            except anthropic.APIStatusError as error:
                failure = _describe(error)
                if not _retryable(error.status_code):
                    raise ModelRefusedError(f"the model API refused the request: {failure}") from None
                wait = _server_wait(error.response.headers)
            except anthropic.APITimeoutError:
                failure, wait = "timed out", None
            except anthropic.APIConnectionError as error:
                failure, wait = f"could not connect ({type(error.__cause__ or error).__name__})", None
            else:
                return self._written(message, attempt)
            delay = self.backoff(attempt) if wait is None else wait
            if attempt >= MAX_ATTEMPTS or deadline - self._clock() - delay < MIN_ATTEMPT_SECONDS:
                raise ModelUnavailableError(
                    f"the model API did not answer after {attempt} attempt(s); last: {failure}"
                )
            logger.warning("model call failed; retrying", extra={"attempt": attempt, "failure": failure})
            self._sleep(delay)

    def _written(self, message: anthropic.types.Message, attempts: int) -> Written:
        text = "".join(block.text for block in message.content if block.type == "text").strip()
        if not text:
            raise ModelRefusedError(f"the model answered without text (stop reason {message.stop_reason})")
        usage = Usage(
            input_tokens=message.usage.input_tokens,
            output_tokens=message.usage.output_tokens,
            cost_usd=cost_usd(self.model, message.usage.input_tokens, message.usage.output_tokens),
        )
        record_model_cost(usage.input_tokens, usage.output_tokens, usage.cost_usd)
        logger.info(
            "model answered",
            extra={
                "model": self.model,
                "attempts": attempts,
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "stop_reason": message.stop_reason,
            },
        )
        return Written(text, self.model, message.stop_reason == "max_tokens", usage, attempts)


def _sdk_http_client() -> httpx2.Client | None:
    """None: the SDK makes its own HTTP client."""
    return None


http_client_factory: Callable[[], httpx2.Client | None] = _sdk_http_client
"""The HTTP client the SDK is given; unit tests put an in-memory transport to the stand-in here."""


def writer_from_environment() -> Writer:
    """A Writer with the configured key and endpoint (`careervp.generation.key`, $ANTHROPIC_BASE_URL)."""
    import anthropic  # noqa: PLC0415  (the SDK loads on the first call that needs it)

    base_url = os.environ.get(ENV_VAR_ANTHROPIC_BASE_URL, "").strip() or None
    client = anthropic.Anthropic(
        api_key=api_key(), base_url=base_url, max_retries=0, http_client=http_client_factory()
    )
    return Writer(client)
