"""Rendering a plan: Terraform-like text for terminals and logs, Markdown for pull requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tuneops.core.cost.estimate import CostEstimate, CostTotal
from tuneops.core.dataset_notices import DatasetNotice
from tuneops.core.jobs import short_hash
from tuneops.core.plan import Action, ActionKind, Change, Plan, QueueSlot
from tuneops.render.markdown import code, escape, plural
from tuneops.render.model_notices import notice_line
from tuneops.render.wording import word, words
from tuneops.specs.kinds import JobState

MARKDOWN_LIMIT = 60_000
FULL_PLAN_AT = "the log of the job that made this plan (`tuneops plan` output)"

_STYLE = {
    ActionKind.CREATE: "green",
    ActionKind.REPLACE: "yellow",
    ActionKind.RETRY: "yellow",
    ActionKind.CANCEL: "red",
    ActionKind.DELETE: "red",
    ActionKind.FORGET: "cyan",
    ActionKind.PROMOTE: "cyan",
    ActionKind.ADOPT: "cyan",
    ActionKind.DEQUEUE: "cyan",
}
_VERB = {
    ActionKind.CREATE: "to create",
    ActionKind.REPLACE: "to replace",
    ActionKind.RETRY: "to retry",
    ActionKind.CANCEL: "to cancel",
    ActionKind.DELETE: "to delete",
    ActionKind.FORGET: "to forget",
    ActionKind.PROMOTE: "to promote",
    ActionKind.ADOPT: "to adopt",
    ActionKind.DEQUEUE: "to dequeue",
}

Paint = Callable[[str, str], str]


def _plain(text: str, style: str) -> str:
    return text


def value(item: Any) -> str:
    """A field value as shown in a plan: JSON, or `(unset)`."""
    return "(unset)" if item is None else json.dumps(item, ensure_ascii=False)


def _change_line(change: Change) -> str:
    return f"{change.path}: {value(change.old)} → {value(change.new)}"


def money(amount: float) -> str:
    """`12.34`, `0.00`, or `<0.01` for a cost too small to show in cents."""
    return "<0.01" if 0 < amount < 0.005 else f"{amount:,.2f}"


def cost_line(cost: CostEstimate) -> str:
    """`~12.34 USD: 2,468,000 training tokens (246,800 × 10 epochs) at 5.00 per 1M`."""
    epochs = f"{cost.epochs} epochs" + (", assumed" if cost.assumed_epochs else "")
    tokens = (
        f"{cost.training_tokens:,} training tokens ({cost.tokens_per_epoch:,} × {epochs}; "
        f"{cost.method})"
    )
    if cost.amount is None or cost.price_per_million is None:
        return f"? {cost.currency}: {tokens}, no price for this model in the model catalogue"
    price = f"{cost.price_per_million:,.2f} {cost.currency} per 1M"
    return f"~{money(cost.amount)} {cost.currency}: {tokens} at {price}"


def total_cost_line(total: CostTotal) -> str:
    """`Estimated cost of the new jobs: ~12.34 USD (an estimate, not a quote).`"""
    unpriced = f"; {total.unpriced} without a price" if total.unpriced else ""
    return (
        f"Estimated cost of the new jobs: ~{money(total.amount)} {total.currency}"
        f" (an estimate, not a quote{unpriced})."
    )


def dataset_changes(changes: tuple[Change, ...]) -> list[str]:
    """`dataset changed: trainingDataset generation A → B, 1,204 → 1,380 examples`, one
    per pinned gs:// dataset whose object changed (from the `datasetPins.*` changes)."""
    by_field: dict[str, dict[str, Change]] = {}
    for change in changes:
        parts = change.path.split(".")
        if len(parts) == 3 and parts[0] == "datasetPins":
            by_field.setdefault(parts[1], {})[parts[2]] = change
    lines = []
    for field, found in sorted(by_field.items()):
        generation = found.get("generation")
        if generation is None or generation.old is None or generation.new is None:
            continue  # newly pinned or no longer pinned: not a changed object
        text = f"dataset changed: {field} generation {generation.old} → {generation.new}"
        examples = found.get("exampleCount")
        if examples is not None and isinstance(examples.old, int) and isinstance(examples.new, int):
            text += f", {examples.old:,} → {examples.new:,} examples"
        lines.append(text)
    return lines


def dataset_notice_lines(notice: DatasetNotice) -> tuple[str, list[str]]:
    """(the headline of a missing pinned object, what it means for its job and the
    spec's next replace)."""
    where = f"{notice.field}, pinned generation {notice.pinned_generation}"
    head = f"{notice.uri} ({where}) no longer exists"
    details = []
    if notice.job is not None and notice.job_state is not None:
        state = _job_state(notice.job_state)
        job = f"the job {notice.job} ({notice.job_state})"
        if state is JobState.SUCCEEDED:
            details.append(f"{job} keeps serving: its model does not need the data again")
        elif state is not None and state.has_ended:
            details.append(f"{job} has ended; a retry would need the data and is refused too")
        else:
            details.append(f"{job} may fail if the service has not read the data yet")
    details.append(
        f"the next replace of {notice.spec} is refused until the object is back: restore "
        f"generation {notice.pinned_generation} or point the spec at another object"
    )
    return head, details


def _job_state(text: str) -> JobState | None:
    try:
        return JobState(text)
    except ValueError:
        return None


def ordinal(number: int) -> str:
    """`1st`, `2nd`, `3rd`, `11th`, `22nd`."""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def queued_line(slot: QueueSlot) -> str:
    """`queued, 1st in line: 2 of vertex.maxConcurrentJobs 2 jobs in flight in its project
    and region; apply records it, a later apply starts it when a slot frees`."""
    return (
        f"queued, {ordinal(slot.position)} in line: {slot.in_flight} of "
        f"vertex.maxConcurrentJobs {slot.limit} jobs in flight in its project and region; "
        "apply records it, a later apply starts it when a slot frees"
    )


def summary_line(plan: Plan) -> str:
    """`Plan: 1 to create, 2 to cancel.` (and what is queued or blocked)."""
    if not plan.has_changes:
        if plan.dataset_notices:
            count = len(plan.dataset_notices)
            verb = "exists" if count == 1 else "exist"
            missing = plural(count, "pinned dataset")
            return f"No changes to apply, but {missing} no longer {verb}."
        return "No changes. The remote jobs match the specs."
    parts = [f"{count} {_VERB[ActionKind(kind)]}" for kind, count in plan.counts.items() if count]
    line = "Plan: " + ", ".join(parts) + "."
    if plan.queued:
        line += f" {len(plan.queued)} queued until a slot frees."
    if plan.blocked:
        line += f" {len(plan.blocked)} blocked by guards: nothing will be applied."
    return line


def render_text(plan: Plan, paint: Paint = _plain) -> str:
    """The plan as lines for a terminal (coloured through `paint`) or a log."""
    lines: list[str] = []
    if plan.offline:
        lines.append(
            paint("Offline plan: computed from the lockfile, not from the remote services.", "dim")
        )
    width = max((len(a.name) for a in plan.actions), default=0)
    for action in plan.actions:
        sign = paint(f"{action.kind.symbol} {action.kind.value:<8}", _STYLE[action.kind])
        target = f" ({action.job})" if action.job else ""
        lines.append(f"  {sign} {action.name:<{width}}  {word(action.reason)}{target}")
        for summary in dataset_changes(action.changes):
            lines.append(f"        {paint('!', 'yellow')} {summary}")
        for change in action.changes:
            lines.append(f"        {paint('~', 'yellow')} {_change_line(change)}")
        for cancelled in action.cancels:
            lines.append(f"        {paint('-', 'red')} cancels {cancelled}")
        if action.cost is not None:
            lines.append(f"        {paint('$', 'cyan')} estimated cost {cost_line(action.cost)}")
        if action.queued is not None:
            lines.append(f"        {paint('⏸', 'yellow')} {queued_line(action.queued)}")
        if action.blocked:
            lines.append(f"        {paint('! blocked:', 'red')} {word(action.blocked)}")
    for missing in plan.dataset_notices:
        head, details = dataset_notice_lines(missing)
        sign = paint("! dataset missing", "yellow")
        lines.append(f"  {sign}  {missing.spec}  {head}")
        lines += [f"        {detail}" for detail in details]
    if plan.actions or plan.dataset_notices:
        lines.append("")
    if (total := plan.total_cost) is not None:
        lines.append(total_cost_line(total))
    for note in words(plan.notes):
        lines.append(f"{paint('note:', 'yellow')} {note}")
    for notice in plan.model_notices:
        lines.append(f"{paint('warning:', 'yellow')} {notice_line(notice)}")
    lines.append(paint(summary_line(plan), "bold"))
    return "\n".join(lines)


def _details(action: Action) -> str:
    title = f"<code>{action.kind.symbol} {action.kind.value}</code> <b>{escape(action.name)}</b>"
    body = [f"- {escape(word(action.reason))}"]
    if action.job:
        body.append(f"- job: {code(action.job)}")
    if action.spec_hash:
        body.append(f"- spec hash: {code(short_hash(action.spec_hash))}")
    body += [f"- cancels: {code(cancelled)}" for cancelled in action.cancels]
    if action.cost is not None:
        body.append(f"- 💲 estimated cost {escape(cost_line(action.cost))}")
    if action.queued is not None:
        body.append(f"- ⏸ **{escape(queued_line(action.queued))}**")
    if action.blocked:
        body.append(f"- ⛔ **blocked**: {escape(word(action.blocked))}")
    if action.changes:
        body += ["", "| field | old | new |", "|---|---|---|"]
        body += [
            f"| {code(c.path)} | {code(value(c.old))} | {code(value(c.new))} |"
            for c in action.changes
        ]
    return f"<details><summary>{title}</summary>\n\n" + "\n".join(body) + "\n\n</details>\n"


def _listed(items: list[str], limit: int) -> list[str]:
    """At most `limit` bullet lines, then one that says how many were left out."""
    lines = [f"- {item}" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"- … and {len(items) - limit} more")
    return lines


def markdown_head(plan: Plan) -> list[str]:
    """The summary of a plan in Markdown: what it does, what it stops, what blocks it."""
    head = []
    if plan.offline:
        head += ["_Offline plan: computed from the lockfile, not from the remote services._", ""]
    head.append(f"**{summary_line(plan)}**")
    if plan.has_changes:
        head += ["", "| action | count |", "|---|---|"]
        head += [f"| {kind} | {count} |" for kind, count in plan.counts.items() if count]
    if (total := plan.total_cost) is not None:
        head += [
            "",
            f"💲 {escape(total_cost_line(total))}",
            "",
            "| new job | estimated cost |",
            "|---|---|",
        ]
        head += [
            f"| {code(a.name)} | {escape(cost_line(a.cost))} |" for a in plan.actions if a.cost
        ]
    destructive = [a for a in plan.actions if a.destructive]
    if destructive:
        names = ", ".join(code(a.name) for a in destructive[:20])
        more = f" and {len(destructive) - 20} more" if len(destructive) > 20 else ""
        stops = "stops a job" if len(destructive) == 1 else "stop jobs"
        head += [
            "",
            f"⚠️ **Destructive**: {plural(len(destructive), 'action')} {stops}: {names}{more}",
        ]
    if plan.queued:
        names = ", ".join(code(a.name) for a in plan.queued[:20])
        more = f" and {len(plan.queued) - 20} more" if len(plan.queued) > 20 else ""
        head += [
            "",
            f"⏸ **Queued** ({plural(len(plan.queued), 'action')}): no free slot under "
            f"`vertex.maxConcurrentJobs`; apply records {names}{more} as queued, and a "
            "later apply starts them when slots free, oldest first",
        ]
    if plan.blocked:
        reasons = sorted({escape(word(a.blocked)) for a in plan.blocked if a.blocked})
        head += ["", f"⛔ **Blocked by guards** ({plural(len(plan.blocked), 'action')}):"]
        head += _listed(reasons, 10)
    if plan.dataset_notices:
        missing = []
        for notice in plan.dataset_notices:
            headline, details = dataset_notice_lines(notice)
            text = f"{code(notice.spec)}: {escape(headline)}: " + escape("; ".join(details))
            missing.append(text)
        head += ["", "⚠️ **Pinned datasets that no longer exist**:", *_listed(missing, 10)]
    if plan.notes:
        head += ["", *_listed([f"note: {escape(note)}" for note in words(plan.notes)], 10)]
    if plan.model_notices:
        warnings = [f"⚠️ {escape(notice_line(n))}" for n in plan.model_notices]
        head += ["", "**Model catalogue**:", *_listed(warnings, 10)]
    return head


def render_markdown(
    plan: Plan, limit: int = MARKDOWN_LIMIT, full_plan_at: str = FULL_PLAN_AT
) -> str:
    """A pull-request comment: summary first, then one collapsible block per action.

    Every user value is escaped (`tuneops.render.markdown`). Never longer than
    `limit` characters: the blocks that do not fit are left out, with a note
    that says how many and where the whole plan is (`full_plan_at`, Markdown).
    """
    head = [f"### tuneops plan for {code(plan.stack)}", "", *markdown_head(plan)]
    text = "\n".join(head) + "\n\n"
    blocks = [_details(a) for a in plan.actions]
    reserve = 300 + len(full_plan_at)  # room for the truncation note
    for shown, block in enumerate(blocks):
        if len(text) + len(block) > limit - reserve:
            left = blocks[shown:]
            return text + (
                f"_… {plural(len(left), 'more action')} not shown, to stay under "
                f"{limit} characters; the full plan is in {full_plan_at}._\n"
            )
        text += block
    return text


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan's JSON document (`plan --format json`, `plan --out`), its notes worded."""
    data = plan.to_data()
    data["actions"] = [action_data(action) for action in plan.actions]
    data["notes"] = words(plan.notes)
    data["noteCodes"] = [note.code.value for note in plan.notes]
    return data


def action_data(action: Action) -> dict[str, Any]:
    """An action's JSON object, its reason and guard worded."""
    data = action.to_data()
    data["reason"] = word(action.reason)
    data["reasonCode"] = action.reason.code.value
    if action.blocked:
        data["blocked"] = word(action.blocked)
        data["blockedCode"] = action.blocked.code.value
    return data


def plan_json(plan: Plan) -> str:
    """`plan_data` as pretty JSON text."""
    return json.dumps(plan_data(plan), indent=2, ensure_ascii=False) + "\n"
