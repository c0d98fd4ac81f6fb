"""generateContent on tuned models: the prompt in, a deterministic answer out."""

from __future__ import annotations

from typing import Any

from tuneops.emulator.errors import JsonObject, invalid

# Both APIs rate every answer of the emulator NEGLIGIBLE in these categories, as in
# the recorded Gemini API reply.
_SAFETY_CATEGORIES = (
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
)


def prompt_text(body: JsonObject, *, missing_message: str) -> str:
    """The text of the last user turn of a GenerateContentRequest.

    Other request fields (generationConfig, safetySettings, tools...) are
    accepted and ignored: the emulator's answers do not depend on them.
    """
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        raise invalid(missing_message)
    for content in reversed(contents):
        if not isinstance(content, dict):
            raise invalid("contents must be a list of Content objects.")
        if content.get("role", "user") == "user":
            return _text_of(content)
    return _text_of(contents[-1])


def _text_of(content: dict[str, Any]) -> str:
    parts = content.get("parts")
    if not isinstance(parts, list):
        raise invalid("Content.parts must be a list.")
    return "".join(
        p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)
    )


def untuned_answer(prompt: str) -> str:
    """What a model says to a prompt it was not tuned on."""
    return f"untuned answer to: {prompt}"


def _ratings() -> list[JsonObject]:
    return [{"category": c, "probability": "NEGLIGIBLE"} for c in _SAFETY_CATEGORIES]


def gemini_response(text: str) -> JsonObject:
    """A Gemini API GenerateContentResponse with the fields of the recorded reply."""
    return {
        "candidates": [
            {
                "content": {"parts": [{"text": text}], "role": "model"},
                "finishReason": "STOP",
                "index": 0,
                "safetyRatings": _ratings(),
            }
        ],
        "promptFeedback": {"safetyRatings": _ratings()},
    }


def _tokens(text: str) -> int:
    # A rough count (a token is about four characters), enough for usageMetadata.
    return max(1, (len(text) + 3) // 4)


def vertex_response(text: str, prompt: str, model_version: str, created: str) -> JsonObject:
    """A Vertex AI GenerateContentResponse."""
    prompt_tokens, answer_tokens = _tokens(prompt), _tokens(text)
    return {
        "candidates": [
            {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
        ],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": answer_tokens,
            "totalTokenCount": prompt_tokens + answer_tokens,
            "trafficType": "ON_DEMAND",
        },
        "modelVersion": model_version,
        "createTime": created,
    }
