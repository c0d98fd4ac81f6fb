"""Rendering `tuneops import`: what was recorded, and how the job differs from the spec."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tuneops.console import Console
from tuneops.core.plan import Change
from tuneops.render.document import json_document
from tuneops.render.plan import value


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of one import.

    `labelled`: the job already carried this stack's labels, so it was simply
    recorded; `changes`: how the job's settings differ from the spec (a replace
    follows on the next apply); `unverified`: what could not be compared.
    """

    name: str
    job: str
    state: str
    revision: Literal["active", "pending"]
    labelled: bool = False
    changes: tuple[Change, ...] = ()
    unverified: str | None = None


def render_text(report: ImportReport, console: Console) -> None:
    """Human lines: the result on stdout, caveats on stderr."""
    if report.labelled:
        console.result(f"{report.job} already carries the labels of {report.name}; recorded it")
        return
    what = f"imported {report.job} as the {report.revision} revision of {report.name}"
    if not report.changes:
        console.result(f"{what} ({report.state})")
        if report.unverified:
            console.note(f"note: {report.unverified}")
        return
    console.result(f"{what}, but it differs from the spec:")
    for change in report.changes:
        console.result(f"  ~ {change.path}: {value(change.old)} → {value(change.new)}")
    if report.revision == "active":
        then = "its endpoint serves until the new job succeeds"
    else:
        then = "it is still running and has no endpoint to keep serving"
    console.result(f"the next `tuneops apply` replaces it; {then}")


def render_json(report: ImportReport, console: Console) -> None:
    """One JSON document."""
    body = {
        "name": report.name,
        "job": report.job,
        "state": report.state,
        "revision": report.revision,
        "alreadyLabelled": report.labelled,
        "matchesSpec": not report.changes,
        "changes": [c.to_data() for c in report.changes],
        "unverified": report.unverified,
    }
    console.result(json_document("import", body))


def render_import(report: ImportReport, fmt: Literal["text", "json"], console: Console) -> None:
    """Shows `report` in `fmt`."""
    (render_json if fmt == "json" else render_text)(report, console)
