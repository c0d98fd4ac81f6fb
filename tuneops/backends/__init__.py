"""Clients for the remote services: Vertex AI tuning jobs and Gemini API tuned models.

The only package that talks HTTP (`requests`) and handles credentials
(`google.auth`). The planner sees `Backend`, `RemoteJob` and `JobState`; the
CLI builds a backend with `build_backend`.
"""

from tuneops.backends.base import Backend, Capabilities, JobState, RemoteJob
from tuneops.backends.errors import (
    CredentialsError,
    RemoteError,
    UnsupportedOperationError,
)
from tuneops.backends.factory import BackendOptions, build_backend

__all__ = [
    "Backend",
    "BackendOptions",
    "Capabilities",
    "CredentialsError",
    "JobState",
    "RemoteError",
    "RemoteJob",
    "UnsupportedOperationError",
    "build_backend",
]
