"""`tuneops emulator`: serve the local Vertex AI + Gemini API tuning emulator."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

from tuneops.console import Console
from tuneops.emulator import EmulatorConfig, StoreError, start_emulator
from tuneops.errors import UsageError
from tuneops.render.lines import EMULATOR_STOPPED, emulator_listening, emulator_settings


def emulator(
    host: str,
    port: int,
    state: Path | None,
    queue_seconds: float,
    job_seconds: float,
    cancel_seconds: float,
    latency_ms: float,
    fail_rate: float,
    seed: int,
    project_number: int,
    auth: bool,
    console: Console,
    require_quota_project: bool = False,
    gemini_tuning: str = "unavailable",
    max_concurrent_jobs: int | None = None,
) -> int:
    """Serves until SIGINT or SIGTERM; the first stdout line is `listening on URL`."""
    try:
        config = EmulatorConfig(
            host=host,
            port=port,
            state_path=state,
            require_quota_project=require_quota_project,
            queue_seconds=queue_seconds,
            job_seconds=job_seconds,
            cancel_seconds=cancel_seconds,
            latency_ms=latency_ms,
            fail_rate=fail_rate,
            seed=seed,
            project_number=project_number,
            auth=auth,
            gemini_tuning=gemini_tuning,
            max_concurrent_jobs=max_concurrent_jobs,
        )
    except ValueError as error:
        raise UsageError(f"emulator: {error}") from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with start_emulator(config, request_log=console.note) as handle:
            console.result(emulator_listening(handle.url))
            console.note(emulator_settings(state, project_number, auth, gemini_tuning, handle.url))
            # A timed wait keeps the main thread responsive to signals on every platform.
            while not stop.wait(0.5):
                pass
    except StoreError as error:
        raise UsageError(f"emulator: {error}") from None
    except OSError as error:
        raise UsageError(f"emulator: cannot serve on {host}:{port}: {error.strerror}") from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    console.note(EMULATOR_STOPPED)
    return 0
