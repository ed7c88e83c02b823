"""One way to run a local HTTP server for a block: the local API, the fixture site, the model stand-in and
the SPA smoke's static server all start, stop and close the same way."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import ThreadingHTTPServer


@contextmanager
def serving(server: ThreadingHTTPServer) -> Iterator[int]:
    """Serve `server` on a thread for the block and yield its port; afterwards shut it down, close its
    socket and wait for the thread, so nothing outlives the block."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
