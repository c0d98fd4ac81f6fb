"""The command line: parse, dispatch to a command, turn errors into exit codes.

Commands are plain functions in `tuneops.commands` that take ordinary arguments
and return an exit code; `tuneops.error_handler` turns every failure into a
message and an exit code.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tuneops.arguments import build_parser

if TYPE_CHECKING:
    from tuneops.console import Console
    from tuneops.runtime.inputs import PlanFlags
    from tuneops.service.listen import Listen

# Commands that leave a step summary and outputs on GitHub Actions.
REPORTED_COMMANDS = frozenset({"validate", "plan", "apply", "reconcile"})


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


def _metrics(args: argparse.Namespace) -> Listen | None:
    from tuneops.errors import UsageError
    from tuneops.service.listen import Listen

    if args.metrics_port is None:
        return None
    if not args.watch:
        raise UsageError("--metrics-port needs --watch: one cycle has nothing to serve")
    if not 0 <= args.metrics_port <= 65535:
        raise UsageError(f"--metrics-port {args.metrics_port}: a port is 0 to 65535")
    return Listen(args.metrics_address, args.metrics_port)


def _lock_timeout(args: argparse.Namespace) -> float:
    from tuneops.durations import parse_duration

    return parse_duration(args.lock_timeout, allow_zero=True)


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
            lock_timeout=_lock_timeout(args),
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
            metrics=_metrics(args),
            lock_timeout=_lock_timeout(args),
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
        from tuneops.commands.importing import import_job

        return import_job(
            config, args.name, args.resource, console, args.format, _lock_timeout(args)
        )
    if args.command == "force-unlock":
        from tuneops.commands.force_unlock import force_unlock

        return force_unlock(config, args.lock_id, force=args.force, console=console)
    if args.command == "promote":
        from tuneops.commands.promote import promote

        return promote(config, args.name, args.revision, console, args.format, _lock_timeout(args))
    if args.command == "init":
        from tuneops.commands.init import init

        return init(Path(args.dir), console)
    if args.command == "validate":
        from tuneops.commands.validate import validate

        return validate([Path(p) for p in args.paths], config, args.format, console)
    if args.command == "models":
        from tuneops.commands.models import models

        return models(config, check=args.check, as_of=args.as_of, fmt=args.format, console=console)
    if args.command == "schema":
        from tuneops.commands.schema import schema

        return schema(args.which, console)
    if args.command == "github":
        from tuneops.commands import github

        run = github.comment if args.github_command == "comment" else github.verify
        extra = {"number": args.pr} if args.github_command == "comment" else {"branch": args.branch}
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
            gemini_tuning=args.gemini_tuning,
            require_quota_project=args.require_quota_project,
            max_concurrent_jobs=args.max_concurrent_jobs,
            console=console,
        )
    raise AssertionError(f"unhandled command {args.command!r}")


def _structure_logs(console: Console, flag: str | None) -> None:
    """Stderr as text or JSON lines, with the backends' secrets masked in either form."""
    from tuneops.backends.transport.redact import redact
    from tuneops.log_lines import log_format

    console.scrub = redact
    try:
        console.log_format = log_format(flag, os.environ)
    except ValueError as error:  # only the variable can be wrong: argparse checks the flag
        console.note(f"warning: {error}")


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    """Runs one command and returns its exit code."""
    args = build_parser().parse_args(argv)
    # Imported after parsing, so that `--help` and usage errors stay quick.
    from tuneops.console import Console
    from tuneops.error_handler import error_handler
    from tuneops.errors import UsageError

    console = console or Console()
    if args.no_color:
        console.color = False
    _structure_logs(console, args.log_format)
    start = Path.cwd()
    try:
        with console.showing_warnings(), error_handler(console, start) as outcome:
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
