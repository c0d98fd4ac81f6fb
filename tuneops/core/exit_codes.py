"""The exit codes a plan decides: apart from `plan` so that importing them costs nothing."""

from __future__ import annotations

# Exit codes that follow from a plan (design.md, "Exit codes").
EXIT_OK = 0
EXIT_CHANGES = 2
EXIT_BLOCKED = 3
