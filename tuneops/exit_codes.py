"""Every exit code tuneops returns, in one place (design.md, "Exit codes").

A bottom-layer module of plain ints, so the error funnel, argument parsing, the
plan and every command import it for nothing (start-up).
"""

from __future__ import annotations

from typing import Final

EXIT_OK: Final = 0
# Any error: bad input, a usage error (argparse's too), a remote or GitHub failure.
EXIT_ERROR: Final = 1
# Changes are pending: only with --detailed-exitcode, never anything else.
EXIT_CHANGES: Final = 2
# Needs attention: a guard blocked the plan, or a promotion gate held a finished
# revision back (the active one keeps serving; docs/tuning-methods.md).
EXIT_BLOCKED: Final = 3
# `wait` gave up (the `timeout` command's code).
EXIT_TIMEOUT: Final = 124
# Ctrl-C and SIGTERM, as a shell reports them (128 + the signal number).
EXIT_INTERRUPTED: Final = 130
EXIT_TERMINATED: Final = 143
