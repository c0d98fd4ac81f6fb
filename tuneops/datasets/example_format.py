"""One line of a Vertex AI supervised-tuning JSONL file: its shape, and its size.

The format (Google's "Prepare supervised fine-tuning data for Gemini models"):

    {"systemInstruction": {"parts": [{"text": ...}]},
     "contents": [{"role": "user", "parts": [{"text": ...}]},
                  {"role": "model", "parts": [{"text": ...}]}]}

A part holds exactly one of `text` or `fileData` ({mimeType, fileUri}); the last
turn is the model's, since that is the answer being taught.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ROLES = ("user", "model")
# Gemini counts an image as 258 tokens; other media vary, so this is a floor.
TOKENS_PER_FILE_PART = 258
# The documented offline estimate (docs/datasets.md): about 4 characters per token.
CHARACTERS_PER_TOKEN = 4

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ExampleProblem:
    """A problem inside one example, at a JSON path within the line."""

    path: Path
    message: str


@dataclass(slots=True)
class ExampleSize:
    """What one example weighs: characters of text and media parts."""

    characters: int = 0
    file_parts: int = 0

    @property
    def estimated_tokens(self) -> int:
        """Tokens by the offline estimate: characters / 4 rounded up, plus media."""
        text_tokens = -(-self.characters // CHARACTERS_PER_TOKEN)
        return text_tokens + self.file_parts * TOKENS_PER_FILE_PART


@dataclass(slots=True)
class _Checker:
    problems: list[ExampleProblem] = field(default_factory=list)
    size: ExampleSize = field(default_factory=ExampleSize)

    def problem(self, path: Path, message: str) -> None:
        self.problems.append(ExampleProblem(path, message))

    def parts(self, value: Any, path: Path, *, text_only: bool) -> None:
        if not isinstance(value, list):
            self.problem(path, "parts must be a list of parts")
            return
        if not value:
            self.problem(path, "parts must not be empty")
        for index, part in enumerate(value):
            self.part(part, (*path, index), text_only=text_only)

    def part(self, value: Any, path: Path, *, text_only: bool) -> None:
        if not isinstance(value, dict):
            self.problem(path, "a part must be an object with text or fileData")
            return
        kinds = [kind for kind in ("text", "fileData") if kind in value]
        if len(kinds) != 1:
            found = "both text and fileData" if kinds else "neither text nor fileData"
            self.problem(path, f"a part holds exactly one of text or fileData; this has {found}")
            return
        if kinds == ["text"]:
            text = value["text"]
            if not isinstance(text, str):
                self.problem((*path, "text"), "text must be a string")
            elif not text.strip():
                self.problem((*path, "text"), "text must not be empty")
            else:
                self.size.characters += len(text)
        elif text_only:
            self.problem((*path, "fileData"), "a system instruction holds text parts only")
        else:
            self.file_data(value["fileData"], (*path, "fileData"))

    def file_data(self, value: Any, path: Path) -> None:
        if not isinstance(value, dict):
            self.problem(path, "fileData must be an object with mimeType and fileUri")
            return
        for key in ("mimeType", "fileUri"):
            if not isinstance(value.get(key), str) or not value[key]:
                self.problem((*path, key), f"fileData needs a non-empty string {key}")
        uri = value.get("fileUri")
        if isinstance(uri, str) and uri and not uri.startswith(("gs://", "https://")):
            self.problem((*path, "fileUri"), f"{uri!r} is not a gs:// or https:// URI")
        self.size.file_parts += 1

    def turn(self, value: Any, path: Path) -> str | None:
        if not isinstance(value, dict):
            self.problem(path, "a turn must be an object with role and parts")
            return None
        role = value.get("role")
        if role not in ROLES:
            shown = "missing" if role is None else repr(role)
            self.problem((*path, "role"), f"role is {shown}; it must be 'user' or 'model'")
        if "parts" not in value:
            self.problem(path, "missing required field 'parts'")
        else:
            self.parts(value["parts"], (*path, "parts"), text_only=False)
        return role if isinstance(role, str) else None

    def example(self, value: Any) -> None:
        if not isinstance(value, dict):
            self.problem((), "each line must be a JSON object with contents")
            return
        if "systemInstruction" in value:
            instruction = value["systemInstruction"]
            if not isinstance(instruction, dict) or "parts" not in instruction:
                self.problem(
                    ("systemInstruction",), "systemInstruction must be an object with parts"
                )
            else:
                self.parts(instruction["parts"], ("systemInstruction", "parts"), text_only=True)
        if "contents" not in value:
            hint = " (this is the OpenAI 'messages' format)" if "messages" in value else ""
            self.problem((), f"missing required field 'contents'{hint}")
            return
        contents = value["contents"]
        if not isinstance(contents, list) or not contents:
            self.problem(("contents",), "contents must be a non-empty list of turns")
            return
        roles = [self.turn(turn, ("contents", index)) for index, turn in enumerate(contents)]
        if roles[-1] == "user":
            last = ("contents", len(contents) - 1, "role")
            self.problem(last, "the last turn must be the model's answer, not 'user'")


def check_example(value: Any) -> tuple[list[ExampleProblem], ExampleSize]:
    """The problems of one parsed JSONL line, and its size (counted on valid parts)."""
    checker = _Checker()
    checker.example(value)
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
