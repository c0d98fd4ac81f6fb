"""generateContent, as both APIs spell it: the request and the text of the answer."""

from __future__ import annotations

from tuneops.backends.transport.errors import InvalidResponseError
from tuneops.backends.transport.http import JsonObject


def generate_body(prompt: str) -> JsonObject:
    """A one-turn GenerateContentRequest."""
    return {"contents": [{"role": "user", "parts": [{"text": prompt}]}]}


def response_text(data: JsonObject) -> str:
    """The text of the first candidate, or an error saying why there is none."""
    candidates = data.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        feedback = data.get("promptFeedback")
        reason = feedback.get("blockReason") if isinstance(feedback, dict) else None
        raise InvalidResponseError(
            f"the model gave no answer{f' (blocked: {reason})' if reason else ''}"
        )
    first = candidates[0] if isinstance(candidates[0], dict) else {}
    content = first.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list):
        raise InvalidResponseError("the first candidate has no content parts")
    texts = [p.get("text") for p in parts if isinstance(p, dict)]
    return "".join(text for text in texts if isinstance(text, str))
