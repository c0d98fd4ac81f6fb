"""The pieces every tuning line is made of: turns of parts, and what they weigh.

Both line formats (supervised, preference) are built from Gemini `Content`
values, `{"role": ..., "parts": [...]}`. This module checks one such value in a
given context (which kinds of part it may hold) and gathers the problems with
their JSON paths inside the line, the characters it weighs, and the function
calls and responses it carries for the pairing checks (function_calls.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

ROLES = ("user", "model")
# Gemini counts an image as 258 tokens; other media vary, so this is a floor.
TOKENS_PER_FILE_PART = 258
# The documented offline estimate (docs/datasets.md): about 4 characters per token.
CHARACTERS_PER_TOKEN = 4

TEXT = "text"
FILE_DATA = "fileData"
FUNCTION_CALL = "functionCall"
FUNCTION_RESPONSE = "functionResponse"
PART_KINDS = (TEXT, FILE_DATA, FUNCTION_CALL, FUNCTION_RESPONSE)
TEXT_ONLY = (TEXT,)
# The two spellings of the key: the supervised page writes `systemInstruction`,
# the preference and function-calling pages `system_instruction`; the service's
# JSON parsing (protobuf) accepts both.
SYSTEM_INSTRUCTION_KEYS = ("systemInstruction", "system_instruction")

Path = tuple[str | int, ...]


# The two immutable values are named tuples, not dataclasses: `validate` of one
# file imports this module, and a named tuple costs start-up a fraction of one.
class ExampleProblem(NamedTuple):
    """A problem inside one example, at a JSON path within the line."""

    path: Path
    message: str


def estimate_tokens(characters: int) -> int:
    """Tokens by the offline estimate: characters / 4, rounded up."""
    return -(-characters // CHARACTERS_PER_TOKEN)


class LineSize(Protocol):
    """What one line weighs, as the scanner sums it up and holds it to a limit."""

    @property
    def characters(self) -> int: ...  # pragma: no cover - a protocol

    @property
    def file_parts(self) -> int: ...  # pragma: no cover - a protocol

    @property
    def estimated_tokens(self) -> int: ...  # pragma: no cover - a protocol

    @property
    def limited_tokens(self) -> int: ...  # pragma: no cover - a protocol

    @property
    def limited_characters(self) -> int: ...  # pragma: no cover - a protocol


@dataclass(slots=True)
class ExampleSize:
    """What one supervised example weighs: characters of text and media parts.

    Function calls, their responses and the tool declarations count by the
    characters of their compact JSON: the service tokenizes them as text.
    """

    characters: int = 0
    file_parts: int = 0

    @property
    def estimated_tokens(self) -> int:
        """Tokens by the offline estimate: characters / 4 rounded up, plus media."""
        return estimate_tokens(self.characters) + self.file_parts * TOKENS_PER_FILE_PART

    @property
    def limited_tokens(self) -> int:
        """The tokens held to the per-example limit: all of them."""
        return self.estimated_tokens

    @property
    def limited_characters(self) -> int:
        """The characters behind `limited_tokens`."""
        return self.characters


class FunctionUse(NamedTuple):
    """A functionCall or functionResponse part: the name it gives, where it is."""

    name: str
    path: Path


@dataclass(slots=True)
class Turn:
    """One checked turn as the pairing checks see it: role (None when invalid) and
    its function parts. Built only for lines that use function calling."""

    role: str | None
    calls: list[FunctionUse] = field(default_factory=list)
    responses: list[FunctionUse] = field(default_factory=list)


# One encoder for every line: json.dumps with arguments builds a new one per call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def compact_length(value: Any) -> int:
    """The characters of `value` as compact JSON: how a structured part is weighed."""
    return len(_COMPACT.encode(value))


def _listed(kinds: tuple[str, ...] | list[str]) -> str:
    return kinds[0] if len(kinds) == 1 else f"{', '.join(kinds[:-1])} or {kinds[-1]}"


def _found(kinds: list[str]) -> str:
    if not kinds:
        return "none of them"
    if len(kinds) == 2:
        return f"both {kinds[0]} and {kinds[1]}"
    return f"{', '.join(kinds[:-1])} and {kinds[-1]}"


@dataclass(slots=True)
class TurnChecker:
    """Checks Content values of one line, gathering problems and size as it goes.

    Function parts are gathered by the index of the turn they are in (`calls`,
    `responses`), so that a line without any costs no per-turn bookkeeping.
    """

    problems: list[ExampleProblem] = field(default_factory=list)
    size: ExampleSize = field(default_factory=ExampleSize)
    calls: list[tuple[int, FunctionUse]] = field(default_factory=list)
    responses: list[tuple[int, FunctionUse]] = field(default_factory=list)
    _turn: int = -1

    def problem(self, path: Path, message: str) -> None:
        """Records a problem at `path` inside the line."""
        self.problems.append(ExampleProblem(path, message))

    def parts(self, value: Any, path: Path, allowed: tuple[str, ...], why: str) -> None:
        """A list of parts, each of a kind in `allowed`; `why` says why others are not."""
        if not isinstance(value, list):
            self.problem(path, "parts must be a list of parts")
            return
        if not value:
            self.problem(path, "parts must not be empty")
        for index, part in enumerate(value):
            self.part(part, (*path, index), allowed, why)

    def part(self, value: Any, path: Path, allowed: tuple[str, ...], why: str) -> None:
        """One part: exactly one known kind, allowed here, and well formed."""
        if isinstance(value, dict) and len(value) == 1 and TEXT in value:
            self.text(value[TEXT], (*path, TEXT))  # the common case, first and cheap
            return
        if not isinstance(value, dict):
            self.problem(path, f"a part must be an object with {_listed(allowed)}")
            return
        kinds = [kind for kind in PART_KINDS if kind in value]
        if len(kinds) != 1:
            self.problem(
                path, f"a part holds exactly one of {_listed(PART_KINDS)}; this has {_found(kinds)}"
            )
            return
        kind = kinds[0]
        if kind not in allowed:
            self.problem((*path, kind), why)
        elif kind == TEXT:
            self.text(value[TEXT], (*path, TEXT))
        elif kind == FILE_DATA:
            self.file_data(value[FILE_DATA], (*path, FILE_DATA))
        elif kind == FUNCTION_CALL:
            use = self.function_call(value[FUNCTION_CALL], (*path, FUNCTION_CALL))
            if use:
                self.calls.append((self._turn, use))
        else:
            use = self.function_response(value[FUNCTION_RESPONSE], (*path, FUNCTION_RESPONSE))
            if use:
                self.responses.append((self._turn, use))

    def text(self, text: Any, path: Path) -> None:
        """A text part's text: a string that is not blank."""
        if not isinstance(text, str):
            self.problem(path, "text must be a string")
        elif not text.strip():
            self.problem(path, "text must not be empty")
        else:
            self.size.characters += len(text)

    def file_data(self, value: Any, path: Path) -> None:
        """A fileData part: a MIME type and a gs:// or https:// URI."""
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

    def _function_name(self, value: dict[str, Any], path: Path, kind: str) -> str | None:
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            self.problem((*path, "name"), f"{kind} needs a non-empty string name")
            return None
        self.size.characters += len(name)
        return name

    def function_call(self, value: Any, path: Path) -> FunctionUse | None:
        """A functionCall part: a function's name and, optionally, an args object."""
        if not isinstance(value, dict):
            self.problem(path, "functionCall must be an object with name and args")
            return None
        name = self._function_name(value, path, FUNCTION_CALL)
        if "args" in value:
            if isinstance(value["args"], dict):
                self.size.characters += compact_length(value["args"])
            else:
                self.problem((*path, "args"), "args must be an object")
        return FunctionUse(name, path) if name else None

    def function_response(self, value: Any, path: Path) -> FunctionUse | None:
        """A functionResponse part: the function's name and its response object."""
        if not isinstance(value, dict):
            self.problem(path, "functionResponse must be an object with name and response")
            return None
        name = self._function_name(value, path, FUNCTION_RESPONSE)
        response = value.get("response")
        if isinstance(response, dict):
            self.size.characters += compact_length(response)
        else:
            self.problem((*path, "response"), "functionResponse needs an object response")
        return FunctionUse(name, path) if name else None

    def turn(
        self,
        value: Any,
        path: Path,
        index: int = -1,
        allowed: tuple[str, ...] = PART_KINDS,
        why: str = "",
    ) -> str | None:
        """One turn (the `index`th of contents): an object with role `user` or
        `model` and its parts; returns the role, None when it is not valid."""
        if not isinstance(value, dict):
            self.problem(path, "a turn must be an object with role and parts")
            return None
        role = value.get("role")
        if role not in ROLES:
            shown = "missing" if role is None else repr(role)
            # Other APIs give function results a role of their own; Gemini's is the user's.
            hint = (
                " (a functionResponse goes in a user turn)" if role in ("function", "tool") else ""
            )
            self.problem((*path, "role"), f"role is {shown}; it must be 'user' or 'model'{hint}")
        self._turn = index
        if "parts" not in value:
            self.problem(path, "missing required field 'parts'")
        else:
            self.parts(value["parts"], (*path, "parts"), allowed, why)
        self._turn = -1
        return role if role in ROLES else None

    def system_instruction(self, line: dict[str, Any]) -> None:
        """The optional system instruction, under either spelling: text parts only.

        Its `role` is ignored by the service (the function-calling page writes
        "system"), so any role is accepted.
        """
        present = [key for key in SYSTEM_INSTRUCTION_KEYS if key in line]
        if len(present) > 1:
            self.problem((), "the line has both systemInstruction and system_instruction; keep one")
            return
        if not present:
            return
        key = present[0]
        instruction = line[key]
        if not isinstance(instruction, dict) or "parts" not in instruction:
            self.problem((key,), f"{key} must be an object with parts")
            return
        why = "a system instruction holds text parts only"
        self.parts(instruction["parts"], (key, "parts"), TEXT_ONLY, why)
