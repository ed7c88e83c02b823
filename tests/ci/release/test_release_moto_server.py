"""A moto server that cannot listen says why at once; moto's own start() waits for it forever."""

from __future__ import annotations

import errno
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from careervp_ci.errors import UsageError
from careervp_ci.release.emulator import serve_forever
from careervp_ci.release.moto_server import MotoServer
from moto.server import ThreadedMotoServer

BOUND = 20.0
"""Seconds a start may take before the test calls it hung (a good start takes well under one)."""


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def outcome_within_bound(start: Callable[[], object]) -> BaseException | None:
    """What `start` raised (None: it returned), failing the test if it has not ended within BOUND."""
    ended: list[BaseException | None] = []

    def attempt() -> None:
        try:
            start()
            ended.append(None)
        except BaseException as error:
            ended.append(error)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(BOUND)
    if worker.is_alive():
        pytest.fail(f"start() was still waiting after {BOUND:.0f} s")
    return ended[0]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_motos_own_server_never_returns_from_start_on_a_taken_port(taken_port: int) -> None:
    """The upstream behaviour this module exists for: if moto fixes it, this fails and MotoServer can go."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=taken_port, verbose=False)
    worker = threading.Thread(target=server.start, daemon=True)
    worker.start()
    worker.join(3)
    assert worker.is_alive()


def test_a_taken_port_raises_the_socket_error_at_once(taken_port: int) -> None:
    failed = outcome_within_bound(MotoServer(ip_address="127.0.0.1", port=taken_port, verbose=False).start)
    assert isinstance(failed, OSError)
    assert failed.errno == errno.EADDRINUSE


def test_the_emulator_command_names_a_taken_port_as_a_usage_error(taken_port: int) -> None:
    failed = outcome_within_bound(lambda: serve_forever(taken_port))
    assert isinstance(failed, UsageError)
    assert f"cannot listen on 127.0.0.1:{taken_port}" in str(failed)


def test_a_free_port_serves_as_moto_does() -> None:
    server = MotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    assert outcome_within_bound(server.start) is None
    try:
        port = server.get_host_and_port()[1]
        with urllib.request.urlopen(f"http://localhost:{port}/moto-api/data.json", timeout=10) as answer:
            assert answer.status == 200
    finally:
        server.stop()
