"""The streaming dataset checker as a pure function over byte streams."""

from __future__ import annotations

import hashlib
import io
import json

from tuneops.catalogue import shipped_catalogue, with_changes
from tuneops.datasets.limits import ModelLimits, fallback_limits, limits_for
from tuneops.datasets.methods import TuningMethod
from tuneops.datasets.scanner import MAX_REPORTED, DatasetRole, DatasetScan, scan_stream

SMALL = ModelLimits(
    "tiny-model",
    max_tokens_per_example=300,
    max_validation_examples=2,
    max_file_bytes=10_000,
    max_text_examples=3,
    max_multimodal_examples=2,
)


def line(question: str = "2+2?", answer: str = "4", media: bool = False) -> bytes:
    parts: list[dict[str, object]] = [{"text": question}]
    if media:
        parts.insert(0, {"fileData": {"mimeType": "image/png", "fileUri": "gs://b/cat.png"}})
    example = {
        "contents": [
            {"role": "user", "parts": parts},
            {"role": "model", "parts": [{"text": answer}]},
        ]
    }
    return (json.dumps(example) + "\n").encode()


def scan(data: bytes, role: DatasetRole = DatasetRole.TRAINING) -> DatasetScan:
    return scan_stream(io.BytesIO(data), "train.jsonl", role, SMALL)


def messages(data: bytes, role: DatasetRole = DatasetRole.TRAINING) -> list[str]:
    return [d.line() for d in scan(data, role).diagnostics]


def test_summary_counts_examples_characters_tokens_and_hashes_the_bytes() -> None:
    data = line("abcdefgh", "xy") + b"\n" + line("abc", "d", media=True)
    result = scan(data)
    assert result.diagnostics == ()
    summary = result.summary
    assert (summary.examples, summary.multimodal_examples) == (2, 1)
    assert summary.characters == 10 + 4
    # ceil(10 / 4) = 3; ceil(4 / 4) + 258 for the image = 259
    assert summary.estimated_tokens == 3 + 259
    assert summary.sha256 == hashlib.sha256(data).hexdigest()
    assert summary.size_bytes == len(data)


def test_bom_and_crlf_are_accepted_and_hashed_as_they_are() -> None:
    data = b"\xef\xbb\xbf" + line().replace(b"\n", b"\r\n") * 2
    result = scan(data)
    assert result.diagnostics == ()
    assert result.summary.examples == 2
    assert result.summary.sha256 == hashlib.sha256(data).hexdigest()


def test_an_example_over_the_token_limit_names_its_line_and_the_model() -> None:
    data = line() + line("q" * 1200, "a" * 4)
    assert messages(data) == [
        "train.jsonl:2:1: error: $: about 301 tokens (estimated from 1,204 characters); "
        "tiny-model allows 300 per example"
    ]


def test_validation_sets_are_held_to_the_validation_limit() -> None:
    data = line() * 3
    assert messages(data, DatasetRole.VALIDATION) == [
        "train.jsonl: error: $: holds 3 validation examples; tiny-model accepts at most 2"
    ]
    assert messages(data, DatasetRole.TRAINING) == []


def test_training_sets_are_held_to_the_text_and_multimodal_limits() -> None:
    assert messages(line() * 4) == [
        "train.jsonl: error: $: holds 4 examples; tiny-model accepts at most 3 text examples"
    ]
    assert messages(line() + line(media=True) * 3) == [
        "train.jsonl: error: $: holds 4 examples, 3 of them multimodal; "
        "tiny-model accepts at most 2 multimodal examples"
    ]


def test_a_file_over_the_size_limit_is_reported_once() -> None:
    data = line() * 200
    found = [m for m in messages(data) if "bytes" in m]
    assert found == [
        f"train.jsonl: error: $: file is {len(data):,} bytes; "
        "tiny-model accepts at most 10,000 bytes per JSONL file"
    ]


def test_only_the_first_problems_are_kept_and_the_rest_are_counted() -> None:
    data = b"nope\n" * (MAX_REPORTED + 7)
    found = scan(data).diagnostics
    assert len(found) == MAX_REPORTED + 1
    assert found[-1].line() == "train.jsonl: error: $: 7 more problems not shown"


def test_a_line_longer_than_the_cut_off_is_skipped_without_reading_it_whole() -> None:
    data = line() + b'{"contents": "' + b"x" * 500 + b'"}\n' + line()
    stream = io.BytesIO(data)
    result = scan_stream(stream, "train.jsonl", DatasetRole.TRAINING, SMALL, max_line_bytes=128)
    assert [d.line() for d in result.diagnostics] == [
        "train.jsonl:2:1: error: $: line is longer than 128 bytes"
    ]
    assert result.summary.examples == 2
    assert result.summary.sha256 == hashlib.sha256(data).hexdigest()


def test_limits_are_found_by_model_family_and_version_suffix() -> None:
    assert limits_for("gemini-3.5-flash").family == "gemini-3.5-flash"
    assert limits_for("gemini-3.1-flash-lite-001").family == "gemini-3.1-flash-lite"
    qualified = "publishers/google/models/gemini-3.5-flash-lite"
    assert limits_for(qualified).family == "gemini-3.5-flash-lite"
    assert limits_for("gemini-9-ultra") == fallback_limits()
    assert limits_for("gemini-3.5-flash").max_tokens_per_example == 131_072


PREFERENCE_LIMITS = ModelLimits(
    "tiny-model",
    max_tokens_per_example=300,
    max_validation_examples=2,
    max_file_bytes=10_000,
    max_text_examples=3,
    max_multimodal_examples=2,
    max_tokens_per_preference_example=100,
)


def preference_line(prompt: str, preferred: str, dispreferred: str) -> bytes:
    def scored(score: int, text: str) -> dict[str, object]:
        return {"score": score, "completion": {"role": "model", "parts": [{"text": text}]}}

    example = {
        "contents": [{"role": "user", "parts": [{"text": prompt}]}],
        "completions": [scored(1, preferred), scored(0, dispreferred)],
    }
    return (json.dumps(example) + "\n").encode()


def scan_preference(data: bytes) -> DatasetScan:
    return scan_stream(
        io.BytesIO(data),
        "prefs.jsonl",
        DatasetRole.TRAINING,
        PREFERENCE_LIMITS,
        method=TuningMethod.PREFERENCE,
    )


def test_a_preference_example_is_held_to_input_plus_its_longer_completion() -> None:
    # 200 + 160 characters (90 tokens) fit in 100; 200 + 240 (110 tokens) do not.
    fits = preference_line("p" * 200, "a" * 160, "b" * 160)
    too_long = preference_line("p" * 200, "a" * 160, "b" * 240)
    result = scan_preference(fits + too_long)
    assert [d.line() for d in result.diagnostics] == [
        "prefs.jsonl:2:1: error: $: about 110 tokens of input and the longer completion "
        "(estimated from 440 characters); tiny-model allows 100 per preference example"
    ]
    # The summary counts all the text: both completions are trained on.
    assert result.summary.examples == 2
    assert result.summary.characters == 520 + 600
    assert result.summary.estimated_tokens == 130 + 150


def test_preference_lines_are_not_held_to_the_supervised_limit() -> None:
    # 1,400 characters (350 tokens) is over the supervised 300, under neither
    # preference figure once split as input plus the longer completion (100).
    line_ = preference_line("p" * 100, "a" * 200, "b" * 1100)
    assert "preference example" in scan_preference(line_).diagnostics[0].message
    within = preference_line("p" * 100, "a" * 100, "b" * 100)
    assert scan_preference(within * 3).diagnostics == ()


def test_function_calls_and_declarations_count_as_text() -> None:
    tools = [{"functionDeclarations": [{"name": "f"}]}]
    example = {
        "tools": tools,
        "contents": [
            {"role": "user", "parts": [{"text": "go"}]},
            {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {"x": 1}}}]},
        ],
    }
    result = scan((json.dumps(example) + "\n").encode())
    assert result.diagnostics == ()
    # '{"functionDeclarations":[{"name":"f"}]}' + "go" + "f" + '{"x":1}'
    assert result.summary.characters == 39 + 2 + 1 + 7


def test_the_preference_limit_comes_from_the_catalogue() -> None:
    assert limits_for("gemini-2.5-flash").max_tokens_per_preference_example == 131_072
    # A model without a limit of its own is held to the one Google's page gives.
    assert limits_for("gemini-3.5-flash").max_tokens_per_preference_example == 131_072
    changed = with_changes(
        shipped_catalogue(),
        {
            "models": [
                {
                    "id": "gemini-2.5-flash",
                    "backends": {
                        "vertex": {"datasets": {"preference": {"maxTokensPerExample": 5000}}}
                    },
                }
            ]
        },
    )
    assert limits_for("gemini-2.5-flash", changed).max_tokens_per_preference_example == 5000
    assert limits_for("gemini-2.5-flash", changed).max_tokens_per_example == 131_072
