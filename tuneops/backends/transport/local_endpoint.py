"""A loopback endpoint where nothing listens: the emulator is not running, say so at once.

A refused connection to a remote host may be a blip worth retrying; a refused
connection to 127.0.0.1, ::1 or localhost means that no server was started
there, and no amount of waiting starts one. So it is not retried, and the error
says how to start the emulator instead of sending the user to `gcloud auth`.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from tuneops.backends.transport.errors import ConnectError
from tuneops.project.file import loopback_address as loopback_address

PROBE_SECONDS = 1.0


def nothing_listens(url: str) -> bool:
    """The endpoint is on this machine and refuses connections (one connect, no request)."""
    address = loopback_address(url)
    if address is None:
        return False
    try:
        with socket.create_connection(address, timeout=PROBE_SECONDS):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False  # something else is wrong: let the request say what


class EmulatorNotRunningError(ConnectError):
    """A loopback endpoint refused the connection: no server runs there. Not retried."""

    retryable = False

    def __init__(self, url: str, *, method: str | None = None, attempt: int = 1) -> None:
        address = loopback_address(url)
        host, port = address if address is not None else ("127.0.0.1", 80)
        shown = f"[{host}]" if ":" in host else host
        parts = urlsplit(url)
        base = f"{parts.scheme}://{shown}:{port}"
        on_host = "" if host in ("127.0.0.1", "localhost") else f" --host {host}"
        super().__init__(
            f"nothing listens at {base}, so the tuneops emulator is not running: start it "
            f"with `tuneops emulator{on_host} --port {port}`, or set `endpoint: embedded` "
            "in tuneops.yaml to run it inside tuneops",
            method=method,
            url=url,
            attempt=attempt,
        )

    def _render(self) -> str:
        # The request does not matter: no request was ever answered there.
        return self.service_message
