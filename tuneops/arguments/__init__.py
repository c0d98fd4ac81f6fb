"""The command line's arguments: one module per command, and the shared parts
(`usage`: exit 1 on a usage error, "did you mean"; `shared`: the plan flags).

`tuneops.cli` parses with `build_parser()` and dispatches; these modules only
describe. The top level knows each command's name and one-line help; a
command's module is imported, and its flags built, only when that command is
parsed (`UsageParser.complete`), so `tuneops --help` and `tuneops validate`
build one command's flags at most.
"""

from __future__ import annotations

import argparse
import importlib

from tuneops import __version__
from tuneops.arguments.usage import AddArguments, UsageParser, did_you_mean

__all__ = ["COMMANDS", "UsageParser", "build_parser", "did_you_mean"]

# Every command in the order `tuneops --help` lists them: name, module here, help line.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("validate", "validate", "check the configuration and specs offline, reporting every problem"),
    ("plan", "plan", "show what apply would change"),
    ("apply", "apply", "create, replace and cancel jobs to match the specs"),
    ("status", "status", "show sync and health of every spec"),
    ("reconcile", "reconcile", "refresh the lockfile from the remote jobs and report drift"),
    ("wait", "wait", "block until the specs' jobs end"),
    ("import", "importing", "adopt a job made outside tuneops under a spec"),
    ("force-unlock", "force_unlock", "remove the stack's shared lock left by a run that is gone"),
    ("promote", "promote", "make a succeeded revision active by hand, past its promotion gate"),
    ("init", "init", "scaffold a project that runs on the emulator"),
    (
        "models",
        "models",
        "list the base models Google tunes, from tuneops' dated model catalogue",
    ),
    ("schema", "schema", "print a JSON Schema"),
    ("github", "github", "pull-request comments and checks for CI"),
    ("emulator", "emulator", "serve a local Vertex AI + Gemini API tuning emulator"),
)


def _deferred(module: str) -> AddArguments:
    def add_arguments(parser: UsageParser) -> None:
        importlib.import_module(f"{__name__}.{module}").add_arguments(parser)

    return add_arguments


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand (each one's flags added when it is used)."""
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
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="stderr as text lines, or one JSON object per line "
        "(also: TUNEOPS_LOG_FORMAT; default: text)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module, text in COMMANDS:
        commands.add_parser(name, help=text, arguments=_deferred(module))
    return parser
