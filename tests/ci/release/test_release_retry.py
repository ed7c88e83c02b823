"""The bounded retry the deployer wraps around calls that race AWS's eventual consistency."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from careervp_ci.release.cloudformation import RetryExhaustedError, retry


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} from the test"}}, "PutObject")


class Flaky:
    """Fails with `error` the first `failures` calls, then returns "done"."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


def test_transient_failures_are_retried_with_doubling_delays_and_each_retry_is_reported() -> None:
    action, logged, slept = Flaky(3, client_error("NoSuchBucket")), list[str](), list[float]()

    result = retry(action, what="upload asset.zip", log=logged.append, first_delay=0.5, sleep=slept.append)

    assert (result, action.calls) == ("done", 4)
    assert slept == [0.5, 1.0, 2.0]
    assert [line.split(" (")[0] for line in logged] == [
        "retry 1/5 of upload asset.zip in 0.5s",
        "retry 2/5 of upload asset.zip in 1.0s",
        "retry 3/5 of upload asset.zip in 2.0s",
    ]
    assert all("transient: " in line and "NoSuchBucket" in line for line in logged)


def test_a_call_that_keeps_failing_stops_at_the_bound_with_a_clear_message() -> None:
    action, logged, slept = Flaky(100, client_error("Throttling")), list[str](), list[float]()

    with pytest.raises(RetryExhaustedError) as raised:
        retry(
            action,
            what="upload asset.zip",
            log=logged.append,
            attempts=4,
            first_delay=0.25,
            sleep=slept.append,
        )

    assert action.calls == 4 and slept == [0.25, 0.5, 1.0] and len(logged) == 3
    message = str(raised.value)
    assert "upload asset.zip still failing after 4 attempts over 1.8s of backoff" in message
    assert "Throttling" in message and "run the command again" in message
    assert isinstance(raised.value.__cause__, ClientError)


def test_a_real_error_is_raised_at_once_without_retrying() -> None:
    action, logged, slept = Flaky(1, client_error("AccessDenied")), list[str](), list[float]()

    with pytest.raises(ClientError, match="AccessDenied"):
        retry(action, what="upload asset.zip", log=logged.append, sleep=slept.append)

    assert (action.calls, logged, slept) == (1, [], [])
