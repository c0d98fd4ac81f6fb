"""Reading a Vertex tuning dataset from the emulated bucket, as the service does.

The job's `trainingDatasetUri` is read when the job is created. A dataset in a
bucket the emulator has never seen keeps the plausible, made-up statistics (so
jobs over imaginary `gs://` paths still run, as most tests and demos want); in
a bucket it knows, a missing object or a malformed line fails the job, and the
statistics are the real counts.

Tokens are counted by the emulator's own deterministic rule, which stands in for
Gemini's tokenizer: every run of word characters counts one token per 4
characters (rounded up), every other visible character one token, and a
`fileData` part 258 tokens (what Gemini counts for an image).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tuneops.emulator.errors import JsonObject
from tuneops.emulator.state import EmulatorState

_GS = re.compile(r"gs://(?P<bucket>[^/]+)/(?P<name>.+)")
_TOKEN = re.compile(r"\w+|[^\w\s]")
FILE_PART_TOKENS = 258


def count_text_tokens(text: str) -> int:
    """The emulator's token count of one text."""
    return sum(
        -(-len(t) // 4) if t[0].isalnum() or t[0] == "_" else 1 for t in _TOKEN.findall(text)
    )


def count_content_tokens(contents: Iterable[Any]) -> tuple[int, int]:
    """(tokens, characters) of a list of Content objects; malformed parts count nothing."""
    tokens = characters = 0
    for content in contents:
        parts = content.get("parts") if isinstance(content, dict) else None
        for part in parts if isinstance(parts, list) else []:
            if not isinstance(part, dict):
                continue
            text = part.get("text")
            if isinstance(text, str):
                tokens += count_text_tokens(text)
                characters += len(text)
            elif "fileData" in part or "inlineData" in part:
                tokens += FILE_PART_TOKENS
    return tokens, characters


@dataclass(frozen=True, slots=True)
class DatasetReading:
    """What reading a dataset gave: statistics, or why the job fails."""

    stats: JsonObject | None = None
    failure: str | None = None


def _line_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "the line is not a JSON object"
    contents = value.get("contents")
    if not isinstance(contents, list) or not contents:
        return "'contents' is missing or empty"
    for content in contents:
        if not isinstance(content, dict) or content.get("role") not in ("user", "model"):
            return "every content needs role 'user' or 'model'"
        if not isinstance(content.get("parts"), list) or not content["parts"]:
            return "every content needs at least one part"
    if contents[-1].get("role") != "model":
        return "the last content must have role 'model'"
    return None


def _preference_problem(value: Any) -> str | None:
    """A preference line: a prompt ending with a user turn, and exactly two
    completions scored 1 and 0 (read 2026-12-06,
    https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/tuning/preference-tuning/prepare-data)."""
    if not isinstance(value, dict):
        return "the line is not a JSON object"
    contents = value.get("contents")
    if not isinstance(contents, list) or not contents:
        return "'contents' is missing or empty"
    if not all(isinstance(c, dict) and isinstance(c.get("parts"), list) for c in contents):
        return "every content needs parts"
    if contents[-1].get("role") != "user":
        return "the last content must have role 'user'"
    completions = value.get("completions")
    if not isinstance(completions, list) or len(completions) != 2:
        return "'completions' must hold exactly two completions"
    scores = sorted(str(c.get("score")) if isinstance(c, dict) else "" for c in completions)
    if scores != ["0", "1"]:
        return "the completions must be scored 1 and 0"
    for completion in completions:
        turn = completion.get("completion")
        if not isinstance(turn, dict) or turn.get("role") != "model":
            return "every completion needs a 'completion' turn with role 'model'"
    return None


def _preference_tokens(value: dict[str, Any]) -> tuple[int, int, int]:
    """(prompt tokens, completion tokens, characters) of a valid preference line."""
    system = value.get("system_instruction") or value.get("systemInstruction")
    prompt = [*([system] if isinstance(system, dict) else []), *value["contents"]]
    user_tokens, user_chars = count_content_tokens(prompt)
    answers = [c["completion"] for c in value["completions"]]
    model_tokens, model_chars = count_content_tokens(answers)
    return user_tokens, model_tokens, user_chars + model_chars


def read_dataset(state: EmulatorState, uri: str, method: str = "supervised") -> DatasetReading:
    """Reads `uri` from the emulated bucket (the caller holds the state lock); its
    lines must be in `method`'s format (supervised or preference)."""
    found = _GS.fullmatch(uri)
    objects = state.store.objects
    if found is None or not objects.bucket_exists(found["bucket"]):
        return DatasetReading()
    stored = objects.get(found["bucket"], found["name"])
    if stored is None:
        return DatasetReading(failure=f"Training dataset {uri} does not exist.")
    examples = tokens = characters = 0
    inputs: list[int] = []
    outputs: list[int] = []
    text = objects.data(stored).decode("utf-8-sig", errors="replace")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            return DatasetReading(
                failure=f"Invalid training dataset {uri}: line {number} is not valid JSON."
            )
        problem = _preference_problem(value) if method == "preference" else _line_problem(value)
        if problem is not None:
            return DatasetReading(
                failure=f"Invalid training dataset {uri}: line {number}: {problem}."
            )
        if method == "preference":
            # Billed as the prompt twice plus the completions (the pricing note above).
            user_tokens, model_tokens, chars = _preference_tokens(value)
            examples += 1
            tokens += 2 * user_tokens + model_tokens
            characters += chars
            inputs.append(user_tokens)
            outputs.append(model_tokens)
            continue
        contents = value["contents"]
        system = value.get("systemInstruction")
        prompt = [*([system] if isinstance(system, dict) else []), *contents[:-1]]
        user_tokens, user_chars = count_content_tokens(prompt)
        model_tokens, model_chars = count_content_tokens(contents[-1:])
        examples += 1
        tokens += user_tokens + model_tokens
        characters += user_chars + model_chars
        inputs.append(user_tokens)
        outputs.append(model_tokens)
    if not examples:
        return DatasetReading(failure=f"Invalid training dataset {uri}: it holds no examples.")
    stats: JsonObject = {
        "tuningDatasetExampleCount": str(examples),
        "totalTuningCharacterCount": str(characters),
        "totalBillableTokenCount": str(tokens),
        "userInputTokenDistribution": {"sum": str(sum(inputs)), "billableSum": str(sum(inputs))},
        "userOutputTokenDistribution": {"sum": str(sum(outputs)), "billableSum": str(sum(outputs))},
    }
    return DatasetReading(stats=stats)
