"""The one error tree of tuneops.

Library code raises these; only `tuneops.cli` turns them into a message and an exit
code. Anything that is not a `TuneopsError` is a bug and is reported as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tuneops.diagnostics import Diagnostic
from tuneops.exit_codes import EXIT_ERROR

if TYPE_CHECKING:  # only annotations: validate's start-up does not load the notes table
    from tuneops.notes import Note


class TuneopsError(Exception):
    """An expected failure with a message fit for the user; exit code 1.

    `notes` are the structured details the message stands for (the views word
    them after it: `render.wording.error_text`, which the error funnel prints).
    """

    exit_code = EXIT_ERROR
    notes: tuple[Note, ...] = ()


class UsageError(TuneopsError):
    """The command line or the environment asks for something impossible."""


class ConfigError(TuneopsError):
    """`tuneops.yaml` is missing or invalid."""


class SpecError(TuneopsError):
    """One or more input files are invalid; carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        count = len(self.diagnostics)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in the input files")


class UnknownNamesError(TuneopsError):
    """Names were asked for that no spec, lockfile entry or remote job carries.

    Each command words its own message (a `--target` flag, a `NAME` argument).
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        super().__init__(f"no spec, lockfile entry or job is named {', '.join(self.names)}")


class LockfileError(TuneopsError):
    """The lockfile cannot be read or does not match its schema."""


class PlanStaleError(TuneopsError):
    """A saved plan no longer matches the specs, lockfile or remote jobs; `notes` say
    how its actions differ from the plan computed now, when that is why."""

    def __init__(self, message: str, notes: Sequence[Note] = ()) -> None:
        super().__init__(message)
        self.notes = tuple(notes)


class NotOwnedError(TuneopsError):
    """A remote job does not carry the stack's identity, so tuneops will not touch it."""


class PhaseTimeoutError(TuneopsError):
    """A phase of a command passed its deadline (`timeouts:` in tuneops.yaml)."""


class ApplyLockedError(TuneopsError):
    """Another apply holds the lock on this checkout."""


class StateLockedError(TuneopsError):
    """Another machine holds the stack's shared lock (`state:` in tuneops.yaml), past
    --lock-timeout."""


class StateConflictError(TuneopsError):
    """The shared state changed under this run: its lock was taken over or removed, or
    the lockfile copy in the bucket was written by another run; nothing is merged."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop like Ctrl-C does, but exit 143 (128 + SIGTERM)."""
