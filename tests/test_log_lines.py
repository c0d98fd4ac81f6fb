"""Stderr as text or JSON lines: the fields, the levels, secrets masked in both forms."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest

from tuneops.backends.transport.redact import redact, register_secret
from tuneops.console import Console
from tuneops.log_lines import LogFormat, level_of, log_format

NOW = dt.datetime(2026, 12, 6, 22, 40, 1, 234567, tzinfo=dt.timezone.utc)


def console(fmt: LogFormat) -> tuple[Console, io.StringIO]:
    err = io.StringIO()
    return Console(
        io.StringIO(), err, color=False, log_format=fmt, scrub=redact, now=lambda: NOW
    ), err


def test_a_json_line_carries_time_level_event_message_and_the_fields_given() -> None:
    shown, err = console(LogFormat.JSON)
    shown.log(
        "info",
        "apply.action",
        "create bot: created j1",
        spec="bot",
        job="j1",
        action="create",
        duration=0.25,
        cycle=None,
    )
    assert json.loads(err.getvalue()) == {
        "time": "2026-12-06T22:40:01.234Z",
        "level": "info",
        "event": "apply.action",
        "message": "create bot: created j1",
        "spec": "bot",
        "job": "j1",
        "action": "create",
        "duration": 0.25,
    }


def test_notes_take_their_level_from_how_they_start() -> None:
    shown, err = console(LogFormat.JSON)
    for text in ("error: it broke", "warning: careful", "all 2 jobs succeeded"):
        shown.note(text)
    levels = [json.loads(line)["level"] for line in err.getvalue().splitlines()]
    assert levels == ["error", "warning", "info"]
    assert level_of("errors: not a prefix") == "info"


@pytest.mark.parametrize("fmt", list(LogFormat))
def test_secrets_are_masked_in_both_forms(fmt: LogFormat) -> None:
    register_secret("s3cr3t-registered-value")
    shown, err = console(fmt)
    shown.note("error: the server said: Bearer ya29.a0AfH6SMB and s3cr3t-registered-value")
    shown.log("warning", "remote.retry", "retrying", job="key s3cr3t-registered-value")
    text = err.getvalue()
    assert "ya29" not in text and "s3cr3t-registered-value" not in text
    assert text.count("<redacted>") == (3 if fmt is LogFormat.JSON else 2)  # text: no fields


@pytest.mark.parametrize("fmt", list(LogFormat))
def test_library_records_reach_stderr_with_their_fields(fmt: LogFormat) -> None:
    shown, err = console(fmt)
    log = logging.getLogger("tuneops.test")
    with shown.showing_warnings():
        log.warning(
            "GET x: retrying", extra={"event": "remote.retry", "request_id": "abc", "code": "503"}
        )
        log.info(
            "create bot: created j1",
            extra={"event": "apply.action", "spec": "bot", "json_only": True},
        )
    lines = err.getvalue().splitlines()
    if fmt is LogFormat.TEXT:  # text shows warnings, and no record meant for JSON only
        assert lines == ["GET x: retrying"]
        return
    records = [json.loads(line) for line in lines]
    assert [(r["level"], r["event"]) for r in records] == [
        ("warning", "remote.retry"),
        ("info", "apply.action"),
    ]
    assert records[0]["request_id"] == "abc" and records[0]["code"] == "503"
    assert records[1]["spec"] == "bot"
    assert logging.getLogger("tuneops").level == logging.NOTSET  # put back as it was


def test_the_format_comes_from_the_flag_then_the_environment() -> None:
    assert log_format(None, {}) is LogFormat.TEXT
    assert log_format(None, {"TUNEOPS_LOG_FORMAT": "JSON"}) is LogFormat.JSON
    assert log_format("text", {"TUNEOPS_LOG_FORMAT": "json"}) is LogFormat.TEXT
    with pytest.raises(
        ValueError,
        match="TUNEOPS_LOG_FORMAT='yaml': the log format is 'text' or 'json'; tuneops writes text",
    ):
        log_format(None, {"TUNEOPS_LOG_FORMAT": "yaml"})
