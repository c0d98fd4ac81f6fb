"""How a usage error looks: argparse's message, exit 1, and a "did you mean" for typos."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import NoReturn

EXIT_USAGE = 1
_INVALID_CHOICE = re.compile(r"argument [^:]+: invalid choice: '([^']*)' \(choose from (.*)\)$")


class UsageParser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1: exit 2 means "changes" (--detailed-exitcode)."""

    def error(self, message: str) -> NoReturn:
        """Prints the usage and the error, with a suggestion for a mistyped choice."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}{did_you_mean(message)}\n")


def did_you_mean(message: str) -> str:
    """`; did you mean 'plan'?` for a mistyped choice (`tuneops pln`), else nothing."""
    found = _INVALID_CHOICE.match(message)
    if found is None:
        return ""
    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
