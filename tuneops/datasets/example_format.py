"""One line of a Vertex AI supervised-tuning JSONL file: its shape, and its size.

The format (Google's "Prepare supervised fine-tuning data for Gemini models";
function calling: "Tune function calling", read 2026-12-06, see
function_calls.py):

    {"systemInstruction": {"parts": [{"text": ...}]},
     "tools": [{"functionDeclarations": [{"name": ..., "parameters": {...}}]}],
     "contents": [{"role": "user", "parts": [{"text": ...}]},
                  {"role": "model", "parts": [{"text": ...}]}]}

A part holds exactly one of `text`, `fileData` ({mimeType, fileUri}),
`functionCall` or `functionResponse`; the last turn is the model's, since that
is the answer being taught.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from tuneops.datasets.function_calls import check_pairing, check_tools
from tuneops.datasets.turns import (
    CHARACTERS_PER_TOKEN,
    ROLES,
    TOKENS_PER_FILE_PART,
    ExampleProblem,
    ExampleSize,
    TurnChecker,
)

__all__ = [
    "CHARACTERS_PER_TOKEN",
    "ROLES",
    "TOKENS_PER_FILE_PART",
    "ExampleProblem",
    "ExampleSize",
    "check_example",
    "conversation_jsonl",
]


def _example(checker: TurnChecker, value: Any) -> None:
    if not isinstance(value, dict):
        checker.problem((), "each line must be a JSON object with contents")
        return
    checker.system_instruction(value)
    declared = check_tools(checker, value)
    if "contents" not in value:
        hint = " (this is the OpenAI 'messages' format)" if "messages" in value else ""
        checker.problem((), f"missing required field 'contents'{hint}")
        return
    contents = value["contents"]
    if not isinstance(contents, list) or not contents:
        checker.problem(("contents",), "contents must be a non-empty list of turns")
        return
    roles = [checker.turn(turn, ("contents", index), index) for index, turn in enumerate(contents)]
    if roles[-1] == "user":
        last = ("contents", len(contents) - 1, "role")
        checker.problem(last, "the last turn must be the model's answer, not 'user'")
    if declared is not None or checker.calls or checker.responses:
        check_pairing(checker, roles, declared)


def check_example(value: Any) -> tuple[list[ExampleProblem], ExampleSize]:
    """The problems of one parsed supervised JSONL line, and its size (counted on valid parts)."""
    checker = TurnChecker()
    _example(checker, value)
    return checker.problems, checker.size


def conversation_jsonl(examples: Iterable[Mapping[str, str]]) -> bytes:
    """Gemini API examples (`{"textInput", "output"}`) as Vertex AI tuning JSONL.

    Each example becomes a two-turn conversation, the user's prompt then the
    model's answer, one compact line each; the bytes are deterministic, so the
    same examples always stage under the same content-addressed name.
    """
    lines = (
        json.dumps(
            {
                "contents": [
                    {"role": "user", "parts": [{"text": example["textInput"]}]},
                    {"role": "model", "parts": [{"text": example["output"]}]},
                ]
            },
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )
        + "\n"
        for example in examples
    )
    return "".join(lines).encode("utf-8")
