"""The Markdown plan cannot be broken by what users write, and stays under the cap.

The output is rendered with a CommonMark parser (GFM tables on), as GitHub
would, and the HTML is checked: hostile values show as text, never as markup.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from tuneops.core.plan import Action, ActionKind, Change, Plan
from tuneops.notes import Note, NoteCode
from tuneops.render.markdown import code, escape
from tuneops.render.plan import MARKDOWN_LIMIT, render_markdown
from tuneops.specs.kinds import BackendKind

HOSTILE = [
    "a | b | c",
    "`code` and ``more``",
    "</details><details open><summary>pwned</summary>",
    '<img src="https://evil.example/x.png" onerror="alert(1)">',
    "**bold** _it_ [link](https://evil.example) @acme/everyone",
    "line one\nline two | cell",
    "&amp; &lt;script&gt;",
]


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def _replace(name: str, text: str) -> Action:
    return Action(
        ActionKind.REPLACE,
        name,
        BackendKind.VERTEX,
        Note.of(NoteCode.SAVED, text=f"spec changed: {text}"),
        "a" * 64,
        f"projects/1/locations/us-central1/tuningJobs/{text}",
        cancels=(f"tunedModels/{text}",),
        changes=(
            Change("description", text, text + "!"),
            Change(f"labels.{text}", None, {"team": text}),
        ),
        blocked=Note.of(NoteCode.SAVED, text=f"guard says {text} for {name}"),
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_and_code_render_as_the_text_itself(text: str) -> None:
    for rendered in (_html(escape(text)), _html(code(text))):
        assert "<img" not in rendered and "<details" not in rendered and "<a " not in rendered
        assert "<strong>" not in rendered and "<em>" not in rendered
        visible = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
        assert visible == " ".join(text.splitlines())


def test_hostile_values_in_a_plan_render_as_text() -> None:
    actions = tuple(_replace(f"spec-{i}", text) for i, text in enumerate(HOSTILE))
    plan = Plan("prod", "f" * 64, actions, notes=(Note.of(NoteCode.SAVED, text=HOSTILE[2]),))
    markdown = render_markdown(plan)
    rendered = _html(markdown)
    assert "<img" not in rendered
    assert "<a " not in rendered
    assert rendered.count("<details>") == rendered.count("</details>") == len(HOSTILE)
    assert "<details open>" not in rendered
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            assert len(re.findall(r"<t[dh]>", row)) in (2, 3)  # counts, or field/old/new
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert '<img src="https://evil.example/x.png" onerror="alert(1)">' in visible
    assert "a | b | c" in visible


def test_plural_forms() -> None:
    one = Action(
        ActionKind.CANCEL,
        "bot",
        BackendKind.VERTEX,
        Note.of(NoteCode.SAVED, text="spec removed"),
        job="j/1",
    )
    assert "⚠️ **Destructive**: 1 action stops a job: <code>bot</code>" in render_markdown(
        Plan("s", "f" * 64, (one,))
    )
    two = (
        one,
        Action(
            ActionKind.CANCEL,
            "cat",
            BackendKind.VERTEX,
            Note.of(NoteCode.SAVED, text="spec removed"),
            job="j/2",
        ),
    )
    assert "2 actions stop jobs" in render_markdown(Plan("s", "f" * 64, two))
    blocked = Action(
        ActionKind.CANCEL,
        "b",
        BackendKind.VERTEX,
        Note.of(NoteCode.SAVED, text="r"),
        job="j",
        blocked=Note.of(NoteCode.SAVED, text="x"),
    )
    assert "(1 action):" in render_markdown(Plan("s", "f" * 64, (blocked,)))


def test_ten_thousand_hostile_actions_stay_under_the_cap_and_say_where_the_rest_is() -> None:
    actions = tuple(_replace(f"spec-{i:05d}", HOSTILE[i % len(HOSTILE)]) for i in range(10_000))
    markdown = render_markdown(Plan("prod", "f" * 64, actions), full_plan_at="the job log")
    assert len(markdown) <= MARKDOWN_LIMIT
    shown = markdown.count("<details>")
    assert 0 < shown < 10_000
    assert markdown.rstrip().endswith(
        f"_… {10_000 - shown} more actions not shown, to stay under 60000 characters; "
        "the full plan is in the job log._"
    )
    assert "run `tuneops plan`" not in markdown
    assert "… and 9990 more" in markdown  # the blocked reasons are listed, but not all
    rendered = _html(markdown)
    assert rendered.count("<details>") == rendered.count("</details>") == shown
    assert "<img" not in rendered
