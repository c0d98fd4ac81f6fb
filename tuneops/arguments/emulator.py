"""`tuneops emulator`'s arguments."""

from __future__ import annotations

import argparse

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


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Where to listen, the fake service's timings and faults, and its state."""
    parser.description = (
        "Serve both tuning APIs on HOST:PORT, faithful enough for Google's "
        "google-genai SDK. Durations are in the emulator's seconds."
    )
    for flag, kind, default, metavar, text in _EMULATOR_FLAGS:
        parser.add_argument(
            flag, type=kind, default=default, metavar=metavar, help=f"{text} (default: %(default)s)"
        )
    parser.add_argument("--state", metavar="FILE", help="SQLite file (default: in memory)")
    parser.add_argument(
        "--no-auth", action="store_true", help="accept calls without a token or key"
    )
    parser.add_argument(
        "--gemini-tuning",
        choices=("unavailable", "available"),
        default="unavailable",
        help="whether the Gemini API tunes models: unavailable, as today's service; "
        "available, as it did until 2025 (default: %(default)s)",
    )
    parser.add_argument(
        "--require-quota-project",
        action="store_true",
        help="refuse Gemini API calls with a bearer token but no x-goog-user-project, "
        "as the real service does for user credentials",
    )
    parser.add_argument(
        "--max-concurrent-jobs",
        type=int,
        metavar="N",
        help="refuse a Vertex create with 429 RESOURCE_EXHAUSTED while N jobs are pending "
        "or running in its project and location, as the service's quota does (default: no limit)",
    )
