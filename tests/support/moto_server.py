"""A moto server on 127.0.0.1 that starts and ends with an empty emulator.

Every moto server and every `mock_aws` in one process share moto's in-memory backends, so a stack one test
module deploys is still there for the next module that starts "its own" server. Resetting on entry and on
exit keeps each module's emulator state its own, whatever order pytest-randomly picks.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from careervp_ci.release.emulator import prepare_emulator


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (the local emulator)
        pass


@contextmanager
def clean_moto_server() -> Iterator[str]:
    """Yield the endpoint (`http://localhost:PORT`: moto reads a 127.0.0.1 host as a bucket name) of a
    server with the project's fixes to moto, as every emulator the project starts has them."""
    server = prepare_emulator()(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://localhost:{server.get_host_and_port()[1]}"
    try:
        _reset(endpoint)
        yield endpoint
    finally:
        _reset(endpoint)
        server.stop()
