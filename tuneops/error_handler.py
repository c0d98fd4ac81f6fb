"""The one error funnel: every failure of a command becomes a message and an exit code.

Expected failures (`TuneopsError`) become one line on stderr and their exit code;
Ctrl-C exits 130 and SIGTERM 143, both once the command has stopped cleanly; a
closed stdout (`tuneops plan | head -1`) ends quietly; anything else is a bug:
its traceback goes to a crash log and the user gets one line pointing at it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tuneops import __version__
from tuneops.console import Console
from tuneops.errors import SpecError, Terminated, TuneopsError
from tuneops.exit_codes import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_TERMINATED

CRASH_LOG = "crash.log"
STATE_DIR = ".tuneops"


@dataclass(slots=True)
class Outcome:
    """The exit code the funnel settled on; None while the command still runs."""

    code: int | None = None


def crash_log_path(start: Path) -> Path:
    """Where a crash report goes: the project's `.tuneops/` when the working directory
    (or the directory tuneops started in) is a project, else the system temp dir."""
    for candidate in (Path.cwd(), start):
        if (candidate / "tuneops.yaml").is_file() or (candidate / STATE_DIR).is_dir():
            return candidate / STATE_DIR / CRASH_LOG
    import tempfile  # only on the crash path: it costs start-up time otherwise

    return Path(tempfile.gettempdir()) / f"tuneops-{os.getuid()}-{CRASH_LOG}"


def _write_crash_report(console: Console, start: Path) -> None:
    import traceback  # only on the crash path

    report = (
        f"tuneops {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
        f"command: {' '.join(sys.argv)}\n\n{traceback.format_exc()}"
    )
    log = crash_log_path(start)
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(report, encoding="utf-8")
        where = f"details in {log}"
    except OSError:
        where = "details follow:\n" + report
    console.note(f"error: internal error in tuneops (a bug; please report it); {where}")


def _quiet_stdout() -> None:
    """After a broken pipe, points stdout at /dev/null so that the interpreter's
    final flush does not raise a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI runner cancelling the job) stops the command the way Ctrl-C does:
    by default Python would die at once, losing the answer of a create in flight."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def error_handler(console: Console, start: Path) -> Iterator[Outcome]:
    """Runs a command; sets `Outcome.code` for every way it can fail.

    `start` is the directory tuneops was started in (before `-C`), where a crash
    log may go.
    """
    outcome = Outcome()
    try:
        with _sigterm_as_interrupt():
            yield outcome
    except SpecError as error:
        for diagnostic in error.diagnostics:
            console.note(diagnostic.line())
        console.note(f"error: {error}")
        outcome.code = error.exit_code
    except TuneopsError as error:
        # The views' words load only when an error is shown: start-up stays light.
        from tuneops.render.wording import error_text

        console.note(f"error: {error_text(error)}")
        outcome.code = error.exit_code
    except Terminated:
        console.note("terminated")
        outcome.code = EXIT_TERMINATED
    except KeyboardInterrupt:
        console.note("interrupted")
        outcome.code = EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        outcome.code = EXIT_ERROR
    except Exception:
        _write_crash_report(console, start)
        outcome.code = EXIT_ERROR
