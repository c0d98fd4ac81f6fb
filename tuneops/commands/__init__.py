"""One module per subcommand; each exposes a function that returns an exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tuneops.errors import UnknownNamesError, UsageError
from tuneops.exit_codes import EXIT_BLOCKED, EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_TIMEOUT

__all__ = [
    "EXIT_BLOCKED",
    "EXIT_CHANGES",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_TIMEOUT",
    "names_given_as",
]


@contextmanager
def names_given_as(how: str) -> Iterator[None]:
    """Words an unknown-names error in the terms the user typed (`--target`, `NAME`)."""
    try:
        yield
    except UnknownNamesError as error:
        raise UsageError(f"{how} names nothing tuneops knows: {', '.join(error.names)}") from None
