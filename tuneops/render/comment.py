"""The words of the sticky pull-request comment: the plan as Markdown, who made it, and
the notice that says why a merge was not applied.

`tuneops.github.comment` adds the hidden markers (which stack, what was reviewed)
and talks to GitHub; every visible word is here.
"""

from __future__ import annotations

from collections.abc import Sequence

from tuneops import __version__
from tuneops.core.plan import Plan
from tuneops.notes import Note
from tuneops.render.markdown import code, escape
from tuneops.render.plan import render_markdown
from tuneops.render.wording import words


def comment_markdown(plan: Plan, sha: str, full_plan_at: str, run_url: str | None = None) -> str:
    """The visible comment: the Markdown plan, and which commit and tuneops made it."""
    made = f"commit {code(sha[:12])}" if sha else "an unknown commit"
    run = f" · [workflow run]({escape(run_url)})" if run_url else ""
    how = "offline " if plan.offline else ""
    datasets = (
        " The <code>gs://</code> datasets were not looked up: their versions are "
        "pinned on merge, and are not part of this review."
        if plan.offline
        else ""
    )
    return (
        f"{render_markdown(plan, full_plan_at=full_plan_at)}\n"
        f"<sub>Planned {how}at {made} by tuneops {escape(__version__)}{run}.{datasets} "
        "This comment is updated on every push.</sub>\n"
    )


def mismatch_body(stack: str, sha: str, differences: Sequence[Note]) -> str:
    """The comment that says why apply stopped: what differs from the reviewed plan."""
    shown = "\n".join(escape(line) for line in words(differences))
    return (
        f"### ⛔ tuneops did not apply {code(stack)}\n\n"
        f"At commit {code(sha[:12])} the plan differs from the plan reviewed on this "
        "pull request, so nothing was applied:\n\n"
        f"<pre>{shown}</pre>\n\n"
        "Open a new pull request (or push to this one's branch) to review the plan "
        "as it is now."
    )
