"""The command line: parse, dispatch to a command, turn errors into exit codes.

Commands are plain functions in `tuneops.commands` that take ordinary arguments
and return an exit code; `tuneops.error_handler` turns every failure into a
message and an exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tuneops import __version__
from tuneops.console import Console
from tuneops.error_handler import error_handler
from tuneops.errors import UsageError

if TYPE_CHECKING:
    from tuneops.runtime.inputs import PlanFlags

EXIT_USAGE = 1
# Commands that leave a step summary and outputs on GitHub Actions.
REPORTED_COMMANDS = frozenset({"validate", "plan", "apply", "reconcile"})
_FORMAT_HELP = (
    "output format (default: text); json documents are described in docs/output-formats.md"
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1: exit 2 means "changes" (--detailed-exitcode)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="tuneops",
        description="Fine-tuning jobs on Vertex AI and the Gemini API, managed as code.",
    )
    parser.add_argument("--version", action="version", version=f"tuneops {__version__}")
    parser.add_argument(
        "-C",
        dest="directory",
        metavar="DIR",
        help="run as if tuneops was started in DIR",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="project configuration file (default: tuneops.yaml)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate", help="check the configuration and specs offline, reporting every problem"
    )
    validate.add_argument(
        "paths", nargs="*", metavar="PATH", help="spec files or directories (default: all specs)"
    )
    validate.add_argument("--format", choices=("text", "json", "github"), default="text")

    plan = commands.add_parser("plan", help="show what apply would change")
    plan.add_argument("--out", metavar="FILE", help="save the plan for `tuneops apply FILE`")
    plan.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    plan.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there are changes"
    )
    plan.add_argument(
        "--offline", action="store_true", help="plan against the lockfile, without credentials"
    )
    _plan_flags(plan)

    apply = commands.add_parser("apply", help="create, replace and cancel jobs to match the specs")
    apply.add_argument("plan_file", nargs="?", metavar="PLANFILE", help="a saved plan to apply")
    apply.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    apply.add_argument("--parallelism", type=int, default=8, metavar="N")
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

    status = commands.add_parser("status", help="show sync and health of every spec")
    status.add_argument("names", nargs="*", metavar="NAME")
    status.add_argument("--format", choices=("text", "json"), default="text")
    status.add_argument("--offline", action="store_true", help="use the lockfile only")

    reconcile = commands.add_parser(
        "reconcile", help="refresh the lockfile from the remote jobs and report drift"
    )
    reconcile.add_argument("--write-lock", action="store_true", help="write the lockfile")
    reconcile.add_argument(
        "--apply", action="store_true", help="also apply changes (as apply --auto-approve)"
    )
    reconcile.add_argument(
        "--detailed-exitcode", action="store_true", help="exit 2 when there is drift"
    )
    reconcile.add_argument("--watch", action="store_true", help="run until stopped")
    reconcile.add_argument("--interval", default="5m", metavar="DURATION")
    reconcile.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help=_FORMAT_HELP + " (one line per cycle with --watch)",
    )
    _plan_flags(reconcile)

    wait = commands.add_parser("wait", help="block until the specs' jobs end")
    wait.add_argument("names", nargs="*", metavar="NAME")
    wait.add_argument("--timeout", metavar="DURATION", help="give up after this (exit 124)")
    wait.add_argument("--poll-interval", default="10s", metavar="DURATION")
    wait.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    adopt = commands.add_parser("import", help="adopt a job made outside tuneops under a spec")
    adopt.add_argument("name", metavar="NAME", help="the spec to import the job under")
    adopt.add_argument("resource", metavar="RESOURCE", help="the job or tuned model name")
    adopt.add_argument("--format", choices=("text", "json"), default="text", help=_FORMAT_HELP)

    init = commands.add_parser("init", help="scaffold a project that runs on the emulator")
    init.add_argument("dir", nargs="?", default=".", metavar="DIR")

    schema = commands.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("which", choices=("spec", "config", "lockfile"), nargs="?", default="spec")

    _github_parser(commands)

    emulator = commands.add_parser(
        "emulator", help="serve a local Vertex AI + Gemini API tuning emulator"
    )
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    emulator.add_argument("--state", metavar="FILE", help="SQLite file (default: in memory)")
    emulator.add_argument("--queue-seconds", type=float, default=2.0)
    emulator.add_argument("--job-seconds", type=float, default=30.0)
    emulator.add_argument("--cancel-seconds", type=float, default=1.0)
    emulator.add_argument("--latency-ms", type=float, default=0.0)
    emulator.add_argument("--fail-rate", type=float, default=0.0)
    emulator.add_argument("--seed", type=int, default=0)
    emulator.add_argument("--project-number", type=int, default=123456789012)
    emulator.add_argument("--no-auth", action="store_true")
    return parser


def _github_parser(commands: argparse._SubParsersAction[_Parser]) -> None:
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
    parser.add_argument("--max-cancel", type=int, metavar="N", help="raise guards.maxCancel")
    parser.add_argument("--max-create", type=int, metavar="N", help="raise guards.maxCreate")


def _flags(args: argparse.Namespace) -> PlanFlags:
    from tuneops.runtime.inputs import PlanFlags

    return PlanFlags(
        targets=tuple(args.target),
        retry_failed=args.retry_failed,
        allow_empty=args.allow_empty,
        max_cancel=args.max_cancel,
        max_create=args.max_create,
    )


def _duration(text: str | None) -> float | None:
    from tuneops.durations import parse_duration

    return parse_duration(text) if text is not None else None


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    config = Path(args.config) if args.config else None
    if args.command == "plan":
        from tuneops.commands.plan import plan

        return plan(
            config,
            out=Path(args.out) if args.out else None,
            fmt=args.format,
            detailed_exitcode=args.detailed_exitcode,
            offline=args.offline,
            flags=_flags(args),
            console=console,
        )
    if args.command == "apply":
        from tuneops.commands.apply import apply

        return apply(
            config,
            plan_file=Path(args.plan_file) if args.plan_file else None,
            auto_approve=args.auto_approve,
            parallelism=args.parallelism,
            flags=_flags(args),
            wait=args.wait,
            timeout=_duration(args.timeout),
            poll_seconds=_duration(args.poll_interval) or 10.0,
            console=console,
            fmt=args.format,
        )
    if args.command == "status":
        from tuneops.commands.status import status

        return status(config, args.names, fmt=args.format, offline=args.offline, console=console)
    if args.command == "reconcile":
        from tuneops.commands.reconcile import reconcile

        return reconcile(
            config,
            write_lock=args.write_lock,
            apply=args.apply,
            detailed_exitcode=args.detailed_exitcode,
            watch=args.watch,
            interval=_duration(args.interval) or 300.0,
            flags=_flags(args),
            console=console,
            fmt=args.format,
        )
    if args.command == "wait":
        from tuneops.commands.wait import wait

        return wait(
            config,
            args.names,
            timeout=_duration(args.timeout),
            poll_seconds=_duration(args.poll_interval) or 10.0,
            console=console,
            fmt=args.format,
        )
    if args.command == "import":
        from tuneops.commands.import_job import import_job

        return import_job(config, args.name, args.resource, console, args.format)
    if args.command == "init":
        from tuneops.commands.init import init

        return init(Path(args.dir), console)
    if args.command == "validate":
        from tuneops.commands.validate import validate

        return validate([Path(p) for p in args.paths], config, args.format, console)
    if args.command == "schema":
        from tuneops.commands.schema import schema

        return schema(args.which, console)
    if args.command == "github":
        from tuneops.commands import github

        run = github.comment if args.github_command == "comment" else github.verify
        extra = {"number": args.pr} if args.github_command == "comment" else {}
        return run(
            Path(args.plan_file),
            repository=args.repo,
            sha=args.sha,
            api_url=args.api_url,
            console=console,
            **extra,
        )
    if args.command == "emulator":
        from tuneops.commands.emulator import emulator

        return emulator(
            host=args.host,
            port=args.port,
            state=Path(args.state) if args.state else None,
            queue_seconds=args.queue_seconds,
            job_seconds=args.job_seconds,
            cancel_seconds=args.cancel_seconds,
            latency_ms=args.latency_ms,
            fail_rate=args.fail_rate,
            seed=args.seed,
            project_number=args.project_number,
            auth=not args.no_auth,
            console=console,
        )
    raise AssertionError(f"unhandled command {args.command!r}")


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Runs one command and returns its exit code."""
    console = console or Console()
    args = build_parser().parse_args(argv)
    start = Path.cwd()
    try:
        with error_handler(console, start) as outcome:
            if args.directory:
                if not Path(args.directory).is_dir():
                    raise UsageError(f"-C {args.directory}: no such directory")
                os.chdir(args.directory)
            outcome.code = _dispatch(args, console)
    finally:
        os.chdir(start)
    assert outcome.code is not None
    if args.command in REPORTED_COMMANDS:
        from tuneops.github.reports import report_exit_code

        report_exit_code(args.command, outcome.code)
    return outcome.code
