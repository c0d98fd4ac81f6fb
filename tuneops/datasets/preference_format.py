"""One line of a Vertex AI preference-tuning JSONL file: its shape, and its size.

The format (Google Cloud, "Prepare preference tuning data for Gemini models",
https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/tuning/preference-tuning/prepare-data,
read 2026-12-06):

    {"system_instruction": {"parts": [{"text": ...}]},
     "contents": [{"role": "user", "parts": [{"text": ...}]}],
     "completions": [
        {"score": 1, "completion": {"role": "model", "parts": [{"text": ...}]}},
        {"score": 0, "completion": {"role": "model", "parts": [{"text": ...}]}}]}

- `contents` is the supervised format's, text only, and ends with a user turn;
- `system_instruction` is optional (`systemInstruction` is accepted too);
- `completions` is a pair: one completion scored 1 (preferred), one scored 0;
  a completion is a single model turn;
- input plus the completion is at most 128K tokens (the limit comes from the
  model catalogue; the check is in the scanner).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tuneops.datasets.turns import (
    TEXT_ONLY,
    ExampleProblem,
    Path,
    TurnChecker,
    estimate_tokens,
)

COMPLETIONS = "completions"
SCORES = (0, 1)
_TEXT_ONLY = "a preference example holds text parts only"


@dataclass(slots=True)
class PreferenceSize:
    """What one preference example weighs: its input, and each completion."""

    input_characters: int = 0
    completion_characters: list[int] = field(default_factory=list)
    file_parts: int = 0  # always 0: a part of another kind is an error

    @property
    def characters(self) -> int:
        """All the text: the input and both completions."""
        return self.input_characters + sum(self.completion_characters)

    @property
    def estimated_tokens(self) -> int:
        """Tokens by the offline estimate, of all the text (what training reads)."""
        return estimate_tokens(self.characters)

    @property
    def limited_characters(self) -> int:
        """The input and the longer completion: what Google's limit counts."""
        return self.input_characters + max(self.completion_characters, default=0)

    @property
    def limited_tokens(self) -> int:
        """Tokens of the input and the longer completion, by the offline estimate."""
        return estimate_tokens(self.limited_characters)


def _contents(checker: TurnChecker, value: dict[str, Any]) -> None:
    if "contents" not in value:
        checker.problem((), "missing required field 'contents'")
        return
    contents = value["contents"]
    if not isinstance(contents, list) or not contents:
        checker.problem(("contents",), "contents must be a non-empty list of turns")
        return
    roles = [
        checker.turn(turn, ("contents", index), index, TEXT_ONLY, _TEXT_ONLY)
        for index, turn in enumerate(contents)
    ]
    if roles[-1] == "model":
        checker.problem(
            ("contents", len(contents) - 1, "role"),
            "the last turn of a preference example must be the user's, not 'model'; "
            "the model's answers go in completions",
        )


def _score(checker: TurnChecker, entry: dict[str, Any], path: Path) -> int | None:
    if "score" not in entry:
        checker.problem(path, "missing required field 'score'")
        return None
    score = entry["score"]
    # bool is an int in Python; JSON true is not a score.
    if isinstance(score, bool) or score not in SCORES:
        checker.problem(
            (*path, "score"),
            f"score is {json.dumps(score)}; it must be 1 (preferred) or 0 (dispreferred)",
        )
        return None
    return int(score)


def _completion(checker: TurnChecker, entry: Any, path: Path, size: PreferenceSize) -> int | None:
    if not isinstance(entry, dict):
        checker.problem(path, "a completion entry must be an object with score and completion")
        return None
    score = _score(checker, entry, path)
    if "completion" not in entry:
        checker.problem(path, "missing required field 'completion'")
        return score
    before = checker.size.characters
    role = checker.turn(entry["completion"], (*path, "completion"), -1, TEXT_ONLY, _TEXT_ONLY)
    size.completion_characters.append(checker.size.characters - before)
    if role == "user":
        checker.problem(
            (*path, "completion", "role"), "a completion is the model's turn: role must be 'model'"
        )
    return score


def _completions(checker: TurnChecker, value: dict[str, Any], size: PreferenceSize) -> None:
    if COMPLETIONS not in value:
        checker.problem((), f"missing required field '{COMPLETIONS}'")
        return
    entries = value[COMPLETIONS]
    if not isinstance(entries, list):
        checker.problem((COMPLETIONS,), "completions must be a list of two scored completions")
        return
    scores = [
        _completion(checker, entry, (COMPLETIONS, index), size)
        for index, entry in enumerate(entries)
    ]
    if len(entries) != 2:
        checker.problem(
            (COMPLETIONS,),
            f"completions holds {len(entries)}; a preference example needs exactly two, "
            "one scored 1 and one scored 0",
        )
        return
    valid = [score for score in scores if score is not None]
    if len(valid) == 2 and valid[0] == valid[1]:
        checker.problem(
            (COMPLETIONS,),
            f"both completions are scored {valid[0]}; one must be scored 1 and the other 0",
        )


def check_preference_example(value: Any) -> tuple[list[ExampleProblem], PreferenceSize]:
    """The problems of one parsed preference JSONL line, and its size."""
    checker = TurnChecker()
    size = PreferenceSize()
    if not isinstance(value, dict):
        checker.problem((), "each line must be a JSON object with contents and completions")
        return checker.problems, size
    checker.system_instruction(value)
    _contents(checker, value)
    size.input_characters = checker.size.characters
    _completions(checker, value, size)
    return checker.problems, size
