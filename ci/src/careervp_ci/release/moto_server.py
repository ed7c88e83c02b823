"""moto's ThreadedMotoServer, except that a server that cannot start raises instead of waiting forever.

moto 5.2.5's `start()` waits, without a bound, on an event its server thread sets only once werkzeug's
`make_server` has returned. When that fails, the thread ends and `start()` never returns. werkzeug 3.1.9 also
turns a socket error into `sys.exit(1)` after printing it. A `.ci/run` hung this way for 15 minutes inside a
Dagger job's `pipeline-tests`, no test named (a test had emptied the container's venv under the server).
Here the thread's failure is kept, the event is set, and `start()` raises it: the socket's OSError itself
(werkzeug's exit keeps it as its context), anything else as EmulatorStartError. Imported only where an
emulator starts (`emulator.prepare_emulator`): moto loads slowly.
"""

from __future__ import annotations

from moto.server import ThreadedMotoServer

from careervp_ci.errors import CareervpError


class EmulatorStartError(CareervpError):
    """The moto server's thread ended before it listened, for a reason other than its socket."""


class MotoServer(ThreadedMotoServer):
    """A ThreadedMotoServer whose `start()` raises what stopped its server thread from listening."""

    failure: BaseException | None = None

    def _server_entry(self) -> None:
        try:
            super()._server_entry()
        except BaseException as error:
            self.failure = error
            self._server_ready_event.set()

    def start(self) -> None:
        super().start()
        if self.failure is None:
            return
        cause = self.failure.__context__ if isinstance(self.failure, SystemExit) else self.failure
        if isinstance(cause, OSError):
            raise cause
        where = f"{self._ip_address}:{self._port}"
        raise EmulatorStartError(f"the moto server on {where} did not start: {cause!r}") from cause
