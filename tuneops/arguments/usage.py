"""How a usage error looks, and a parser whose subcommand flags are added on demand.

A usage error exits 1 (EXIT_ERROR), not argparse's 2: exit 2 means "changes are
pending" (`--detailed-exitcode`). A mistyped choice gets a "did you mean".
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from tuneops.exit_codes import EXIT_ERROR

_INVALID_CHOICE = re.compile(r"argument [^:]+: invalid choice: '([^']*)' \(choose from (.*)\)$")

AddArguments = Callable[["UsageParser"], None]


class UsageParser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1, and a subcommand's flags are added only
    when that subcommand is parsed (`arguments`): `tuneops plan` never builds the
    flags of the other eleven commands, which keeps start-up quick."""

    def __init__(self, *args: Any, arguments: AddArguments | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._add_arguments = arguments

    def complete(self) -> UsageParser:
        """Adds the deferred flags now (once); returns the parser."""
        add, self._add_arguments = self._add_arguments, None
        if add is not None:
            add(self)
        return self

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """argparse's, after the deferred flags are in place."""
        self.complete()
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        """Prints the usage and the error, with a suggestion for a mistyped choice."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}{did_you_mean(message)}\n")


def did_you_mean(message: str) -> str:
    """`; did you mean 'plan'?` for a mistyped choice (`tuneops pln`), else nothing."""
    found = _INVALID_CHOICE.match(message)
    if found is None:
        return ""
    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
