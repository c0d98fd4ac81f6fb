"""Examples parsed once and shared: the checker's parse, kept for `countTokens`.

A local Vertex training file is parsed while it is checked (`scanner`); a plan's
cost estimate then sends the same examples to `countTokens`. Rather than parse
the file a second time, the checker hands each valid example to a `TurnKeeper`,
which keeps the turns the service counts, within two bounds:

- `MAX_COUNTED_EXAMPLES` examples per file: above it a plan uses the offline
  estimate and counts nothing (minutes of `countTokens` calls buy no decision);
- `SHARED_LINE_BYTES` of example lines per run, shared by every file one load
  checks: a file that does not fit keeps nothing (and gives back what it took)
  and is streamed again if a plan counts it. Memory stays bounded, whatever the
  specs hold; the benchmark is `tests/benchmarks/bench_plan.py`.
"""

from __future__ import annotations

from typing import Any

MAX_COUNTED_EXAMPLES = 10_000
# 16 MiB of JSONL is about 4 million tokens of text; as Python values about twice that.
SHARED_LINE_BYTES = 16 * 1024 * 1024

Turns = list[dict[str, Any]]


def counted_turns(value: object) -> Turns | None:
    """The turns `countTokens` counts for one example: its `contents`, with its system
    instruction first as a user turn; None for a line that is not an example.

    A preference line (with `completions`) is counted as Google bills it: the
    prompt's turns twice, then the completions (read 2026-12-06,
    https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-preference-tuning,
    "Pricing": the prompt's tokens times two plus the completions').
    """
    if not isinstance(value, dict) or not isinstance(value.get("contents"), list):
        return None
    turns = list(value["contents"])
    system = value.get("systemInstruction") or value.get("system_instruction")
    if isinstance(system, dict) and isinstance(system.get("parts"), list):
        turns.insert(0, {"role": "user", "parts": system["parts"]})
    completions = value.get("completions")
    if isinstance(completions, list):
        answers = [
            c["completion"]
            for c in completions
            if isinstance(c, dict) and isinstance(c.get("completion"), dict)
        ]
        turns = [*turns, *turns, *answers]
    return turns


class LineBudget:
    """Bytes of example lines the files of one load may still keep (one loader, one thread)."""

    def __init__(self, total: int | None = None) -> None:
        self.left = SHARED_LINE_BYTES if total is None else total


class TurnKeeper:
    """Keeps one file's examples as turns while they fit (see the module's bounds)."""

    def __init__(self, budget: LineBudget) -> None:
        self.budget = budget
        self.kept: list[Turns] | None = []
        self.taken = 0

    def __call__(self, value: object, line_bytes: int) -> None:
        """Takes one valid example (as parsed) and the length of its line."""
        if self.kept is None:
            return
        turns = counted_turns(value)
        if turns is None:
            return
        if len(self.kept) >= MAX_COUNTED_EXAMPLES or line_bytes > self.budget.left:
            self.budget.left += self.taken
            self.kept, self.taken = None, 0
            return
        self.budget.left -= line_bytes
        self.taken += line_bytes
        self.kept.append(turns)

    def turns(self) -> tuple[Turns, ...] | None:
        """Every example's turns, or None when the file did not fit."""
        return None if self.kept is None else tuple(self.kept)
