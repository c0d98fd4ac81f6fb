"""The command line's arguments: every subcommand, its flags and their help, and how a
usage error looks (argparse's message, exit 1, and a "did you mean" for typos).

`tuneops.cli` parses with `build_parser()` and dispatches; this module only
describes.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import NoReturn

from tuneops import __version__
from tuneops.exit_codes import EXIT_ERROR

_INVALID_CHOICE = re.compile(r"argument [^:]+: invalid choice: '([^']*)' \(choose from (.*)\)$")


class UsageParser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1: exit 2 means "changes" (--detailed-exitcode)."""

    def error(self, message: str) -> NoReturn:
        """Prints the usage and the error, with a suggestion for a mistyped choice."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}{did_you_mean(message)}\n")


def did_you_mean(message: str) -> str:
    """`; did you mean 'plan'?` for a mistyped choice (`tuneops pln`), else nothing."""
    found = _INVALID_CHOICE.match(message)
    if found is None:
        return ""
    choices = re.findall(r"'([^']*)'", found.group(2))
    close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


_FORMAT_HELP = (
    "output format (default: text); json documents are described in docs/output-formats.md"
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = UsageParser(
        prog="tuneops",
        description="Fine-tuning jobs on Vertex AI and the Gemini API, managed as code.",
    )
    parser.add_argument("--version", action="version", version=f"tuneops {__version__}")
    parser.add_argument(
        "-C",
        dest="directory",
        metavar="DIR",
        help="run as if tuneops was started in DIR (paths, tuneops.yaml, .tuneops/)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="project configuration file (default: tuneops.yaml)",
    )
    parser.add_argument(
        "--no-color",
        action="store_true",
        help="no colour in the output (also: NO_COLOR=1, TERM=dumb)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate",
        help="check the configuration and specs offline, reporting every problem",
        description="Check tuneops.yaml and the specs against their schemas, offline, and "
        "report every problem with file:line:column and JSON path. Exit 1 on any error.",
    )
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help="spec files or directories (default: all specs)"
    )
    validate.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text lines, one JSON document, or GitHub workflow annotations (default: %(default)s)",
    )

    plan = commands.add_parser(
        "plan",
        help="show what apply would change",
        description="Compare the specs with the remote jobs and the lockfile and show the "
        "actions apply would take. Nothing is changed.",
    )
    plan.add_argument("--out", metavar="FILE", help="save the plan for `tuneops apply FILE`")
    plan.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text for terminals, JSON for tools, Markdown for pull requests "
        "(default: %(default)s)",
    )
    plan.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there are changes"
    )
    plan.add_argument(
        "--offline", action="store_true", help="plan against the lockfile, without credentials"
    )
    _plan_flags(plan)

    apply = commands.add_parser(
        "apply",
        help="create, replace and cancel jobs to match the specs",
        description="Plan, ask for confirmation, then create, replace and cancel jobs and "
        "record them in the lockfile. With PLANFILE, apply exactly that saved plan.",
    )
    apply.add_argument(
        "plan_file", nargs="?", metavar="PLANFILE", help="a plan saved by `plan --out`"
    )
    apply.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    apply.add_argument(
        "--parallelism",
        type=int,
        default=8,
        metavar="N",
        help="remote calls made at once (default: %(default)s)",
    )
    apply.add_argument("--wait", action="store_true", help="then wait for the jobs to end")
    apply.add_argument("--timeout", metavar="DURATION", help="with --wait: give up after this")
    apply.add_argument(
        "--poll-interval",
        default="10s",
        metavar="DURATION",
        help="with --wait: time between polls (default: 10s)",
    )
    apply.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)
    _plan_flags(apply)

    status = commands.add_parser(
        "status",
        help="show sync and health of every spec",
        description="One row per spec: whether apply has anything to do (sync) and what its "
        "jobs do (health), read from the remote services.",
    )
    status.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="only these specs, with model, data statistics and experiment (default: all)",
    )
    status.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="a table, or JSON with every field (default: %(default)s)",
    )
    status.add_argument("--offline", action="store_true", help="use the lockfile only")

    reconcile = commands.add_parser(
        "reconcile",
        help="refresh the lockfile from the remote jobs and report drift",
        description="Record what finished (promote, adopt, rebuild a lost lockfile) with "
        "--write-lock and report drift; jobs are created or cancelled only with --apply.",
    )
    reconcile.add_argument("--write-lock", action="store_true", help="write the lockfile")
    reconcile.add_argument(
        "--apply", action="store_true", help="also apply changes (as apply --auto-approve)"
    )
    reconcile.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there is drift"
    )
    reconcile.add_argument("--watch", action="store_true", help="run until stopped")
    reconcile.add_argument(
        "--interval",
        default="5m",
        metavar="DURATION",
        help="with --watch: time between cycles, such as 90s or 5m (default: %(default)s)",
    )
    reconcile.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help=_FORMAT_HELP + " (one line per cycle with --watch)",
    )
    _plan_flags(reconcile)

    wait = commands.add_parser(
        "wait",
        help="block until the specs' jobs end",
        description="Poll until the current job of each spec has ended, keeping the lockfile "
        "true meanwhile. Exit 0 when all succeeded, 1 when any failed, 124 on timeout.",
    )
    wait.add_argument("names", nargs="*", metavar="NAME", help="only these specs (default: all)")
    wait.add_argument("--timeout", metavar="DURATION", help="give up after this (exit 124)")
    wait.add_argument(
        "--poll-interval",
        default="10s",
        metavar="DURATION",
        help="time between polls (default: %(default)s)",
    )
    wait.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    adopt = commands.add_parser(
        "import",
        help="adopt a job made outside tuneops under a spec",
        description="Put tuneops' identity on a job or tuned model made elsewhere and record "
        "it in the lockfile under spec NAME, after checking that its settings match the spec.",
    )
    adopt.add_argument("name", metavar="NAME", help="the spec to import the job under")
    adopt.add_argument("resource", metavar="RESOURCE", help="the job or tuned model name")
    adopt.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    promote = commands.add_parser(
        "promote",
        help="make a succeeded revision active by hand, past its promotion gate",
        description="Record revision ID (a tuning job's id or full name) of spec NAME as "
        "active in the lockfile, serving the endpoint its gate chose, marked as promoted by "
        "hand. Only the lockfile changes.",
    )
    promote.add_argument("name", metavar="NAME", help="the spec")
    promote.add_argument(
        "--revision", required=True, metavar="ID", help="the revision's job id or name"
    )
    promote.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    init = commands.add_parser(
        "init",
        help="scaffold a project that runs on the emulator",
        description="Write tuneops.yaml and example specs that run against the embedded "
        "emulator, so every command works without a cloud account.",
    )
    init.add_argument(
        "dir", nargs="?", default=".", metavar="DIR", help="where (default: the current directory)"
    )

    models = commands.add_parser(
        "models",
        help="list the base models Google tunes, from tuneops' dated model catalogue",
        description="The model catalogue: per model the backends and methods that tune it, "
        "its status today (available, deprecated, retired), shutdown, successor, adapter "
        "sizes and training price, each read from Google's documentation on a given day. "
        "Inside a project, tuneops.yaml's catalogue: changes are included.",
    )
    models.add_argument(
        "--check",
        action="store_true",
        help="list every spec and lockfile endpoint on a model near or past its shutdown; "
        "exit 1 when any is past",
    )
    models.add_argument(
        "--as-of",
        metavar="DATE",
        help="the status on this day, YYYY-MM-DD (default: today, UTC)",
    )
    models.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="a table, JSON for scripts, or Markdown (docs/models.md) (default: %(default)s)",
    )

    schema = commands.add_parser(
        "schema",
        help="print a JSON Schema",
        description="Print the published JSON Schema of specs, tuneops.yaml or the lockfile.",
    )
    schema.add_argument(
        "which",
        choices=("spec", "config", "lockfile"),
        nargs="?",
        default="spec",
        help="which schema (default: %(default)s)",
    )

    _github_parser(commands)

    emulator = commands.add_parser(
        "emulator",
        help="serve a local Vertex AI + Gemini API tuning emulator",
        description="Serve both tuning APIs on HOST:PORT, faithful enough for Google's "
        "google-genai SDK. Durations are in the emulator's seconds.",
    )
    for flag, kind, default, metavar, text in _EMULATOR_FLAGS:
        emulator.add_argument(
            flag, type=kind, default=default, metavar=metavar, help=f"{text} (default: %(default)s)"
        )
    emulator.add_argument("--state", metavar="FILE", help="SQLite file (default: in memory)")
    emulator.add_argument(
        "--no-auth", action="store_true", help="accept calls without a token or key"
    )
    emulator.add_argument(
        "--gemini-tuning",
        choices=("unavailable", "available"),
        default="unavailable",
        help="whether the Gemini API tunes models: unavailable, as today's service; "
        "available, as it did until 2025 (default: %(default)s)",
    )
    emulator.add_argument(
        "--require-quota-project",
        action="store_true",
        help="refuse Gemini API calls with a bearer token but no x-goog-user-project, "
        "as the real service does for user credentials",
    )
    emulator.add_argument(
        "--max-concurrent-jobs",
        type=int,
        metavar="N",
        help="refuse a Vertex create with 429 RESOURCE_EXHAUSTED while N jobs are pending "
        "or running in its project and location, as the service's quota does (default: no limit)",
    )
    return parser


# The emulator's knobs: flag, type, default, metavar, help.
_EMULATOR_FLAGS: tuple[tuple[str, type, object, str, str], ...] = (
    ("--host", str, "127.0.0.1", "HOST", "address to listen on"),
    ("--port", int, 8080, "PORT", "0 picks a free port"),
    ("--queue-seconds", float, 2.0, "SECONDS", "how long a new job stays queued"),
    ("--job-seconds", float, 30.0, "SECONDS", "how long a job runs"),
    ("--cancel-seconds", float, 1.0, "SECONDS", "how long a cancel takes"),
    ("--latency-ms", float, 0.0, "MS", "delay added to every answer"),
    ("--fail-rate", float, 0.0, "RATE", "share of jobs that fail, 0 to 1"),
    ("--seed", int, 0, "N", "seed of the failures and ids"),
    ("--project-number", int, 123456789012, "N", "the number that project ids resolve to"),
)


def _github_parser(commands: argparse._SubParsersAction[UsageParser]) -> None:
    github = commands.add_parser("github", help="pull-request comments and checks for CI")
    verbs = github.add_subparsers(dest="github_command", metavar="COMMAND", required=True)
    comment = verbs.add_parser(
        "comment", help="create or update the stack's one plan comment on a pull request"
    )
    comment.add_argument("plan_file", metavar="PLANFILE", help="from `tuneops plan --out FILE`")
    comment.add_argument("--pr", type=int, metavar="NUMBER", help="default: from the event")
    verify = verbs.add_parser(
        "verify", help="check a plan against the plan reviewed on the merged pull request"
    )
    verify.add_argument("plan_file", metavar="PLANFILE", help="from `tuneops plan --out FILE`")
    verify.add_argument(
        "--branch", metavar="BRANCH", help="the branch being applied (default: $GITHUB_REF)"
    )
    for verb in (comment, verify):
        verb.add_argument("--repo", metavar="OWNER/NAME", help="default: $GITHUB_REPOSITORY")
        verb.add_argument("--sha", metavar="SHA", help="the commit (default: from the event)")
        verb.add_argument("--api-url", metavar="URL", help="default: $GITHUB_API_URL")


def _plan_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target", action="append", default=[], metavar="NAME", help="only this spec (repeatable)"
    )
    parser.add_argument(
        "--retry-failed", action="store_true", help="start failed jobs of unchanged specs again"
    )
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help="allow cancelling everything when no spec is left",
    )
    parser.add_argument(
        "--max-cancel", type=int, metavar="N", help="raise guards.maxCancel (tuneops.yaml; 5)"
    )
    parser.add_argument(
        "--max-create", type=int, metavar="N", help="raise guards.maxCreate (tuneops.yaml; 20)"
    )
