"""The `tuneops plan` view: text, JSON or Markdown, chosen once from `--format`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from tuneops.console import Console
from tuneops.core.plan import Plan
from tuneops.render.plan import plan_json, render_markdown, render_text

PlanFormat = Literal["text", "json", "markdown"]


class PlanView(Protocol):
    """Shows a plan on stdout."""

    def show(self, plan: Plan) -> None:
        """Writes the plan."""


@dataclass(frozen=True, slots=True)
class TextPlanView:
    """Terraform-like text, coloured on a terminal."""

    console: Console

    def show(self, plan: Plan) -> None:
        """Writes the plan as text."""
        self.console.result(render_text(plan, self.console.paint))


@dataclass(frozen=True, slots=True)
class JsonPlanView:
    """The plan document, the format of `plan --out` too."""

    console: Console

    def show(self, plan: Plan) -> None:
        """Writes the plan as one JSON document."""
        self.console.document(plan_json(plan))


@dataclass(frozen=True, slots=True)
class MarkdownPlanView:
    """GitHub Markdown, for a pull request or a step summary."""

    console: Console

    def show(self, plan: Plan) -> None:
        """Writes the plan as Markdown."""
        self.console.document(render_markdown(plan))


def plan_view(fmt: PlanFormat, console: Console) -> PlanView:
    """The view for `--format`."""
    if fmt == "json":
        return JsonPlanView(console)
    if fmt == "markdown":
        return MarkdownPlanView(console)
    return TextPlanView(console)
