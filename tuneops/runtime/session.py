"""The remote side of a run: backends built on demand, the embedded emulator, listings.

`endpoint: embedded` in tuneops.yaml runs the tuneops emulator in this process
with its state in `.tuneops/`, so every command works without a cloud account.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from tuneops.backends.construction import (
    ENDPOINT_ENVS,
    STORAGE_EMULATOR_ENV,
    ClientSettings,
    build_backend,
    build_storage_client,
)
from tuneops.backends.gemini.client import GeminiBackend
from tuneops.backends.shared.protocol import Backend
from tuneops.backends.storage.client import StorageClient
from tuneops.backends.transport.deadlines import NetworkBudget, network_budget, phase_deadline
from tuneops.backends.transport.errors import PhaseDeadlineError, RemoteError
from tuneops.backends.vertex.client import VertexBackend
from tuneops.core.jobs import Capabilities, RemoteJob
from tuneops.errors import ConfigError, PhaseTimeoutError, UsageError
from tuneops.lockfile.file import Lockfile
from tuneops.project.file import EMBEDDED, Project
from tuneops.project.settings import ProjectConfig
from tuneops.runtime.malloc_arenas import limit_malloc_arenas
from tuneops.specs.kinds import BackendKind, JobState
from tuneops.specs.models import JobSpec, VertexSpec

STATE_DIR = ".tuneops"
EMBEDDED_STATE = "emulator.sqlite"
# The embedded emulator's clock, in seconds: fast enough for a demo, slow enough
# to watch. TUNEOPS_EMBEDDED_JOB_SECONDS overrides the running time.
EMBEDDED_QUEUE_SECONDS = 1.0
EMBEDDED_JOB_SECONDS = 8.0
EMBEDDED_TOKEN = "embedded-emulator"
# The Gemini API tunes no model today, and neither does the embedded emulator
# unless this says `available` (the service as it was until 2025).
GEMINI_TUNING_ENV = "TUNEOPS_EMBEDDED_GEMINI_TUNING"
GEMINI_TUNING_CHOICES = ("unavailable", "available")
# The service-side concurrent-jobs quota the embedded emulator enforces (unset: none),
# so that queueing can be tried without a cloud project.
EMBEDDED_LIMIT_ENV = "TUNEOPS_EMBEDDED_MAX_CONCURRENT_JOBS"
CAPABILITIES: Mapping[BackendKind, Capabilities] = {
    BackendKind.VERTEX: VertexBackend.capabilities,
    BackendKind.GEMINI: GeminiBackend.capabilities,
}


@dataclass(frozen=True, slots=True, order=True)
class Place:
    """Where one listing looks: a backend, and for Vertex a project and region."""

    backend: BackendKind
    project: str | None = None
    location: str | None = None


def place_of(spec: JobSpec) -> Place:
    """Where the jobs of `spec` run."""
    if isinstance(spec.spec, VertexSpec):
        return Place(spec.backend, spec.spec.project, spec.spec.location)
    return Place(spec.backend)


def places(specs: Iterable[JobSpec], lockfile: Lockfile) -> list[Place]:
    """Every place the stack's jobs can be: the specs' and the lockfile's."""
    found = {place_of(spec) for spec in specs}
    for entry in lockfile.entries.values():
        if entry.backend is BackendKind.VERTEX and entry.project and entry.location:
            found.add(Place(entry.backend, entry.project, entry.location))
        elif entry.backend is BackendKind.GEMINI:
            found.add(Place(entry.backend))
    return sorted(found)


@dataclass(frozen=True, slots=True)
class Reach:
    """How the session reaches one service: the settings its client is built from,
    or the embedded emulator."""

    settings: ClientSettings
    embedded: bool


def reaches(
    config: ProjectConfig, env: Mapping[str, str]
) -> tuple[Mapping[BackendKind, Reach], Reach]:
    """How each tuning service, and Cloud Storage, is reached: the one place where
    tuneops.yaml's service settings (and the environment's overrides) are read.

    A service is embedded when its endpoint (the environment's first) is
    `embedded`; storage is when `storage.endpoint` is, or when it is unset while
    Vertex AI is embedded, unless `STORAGE_EMULATOR_HOST` names another.
    """
    services: dict[BackendKind, Reach] = {}
    for kind, settings in (
        (BackendKind.VERTEX, config.vertex),
        (BackendKind.GEMINI, config.gemini),
    ):
        endpoint = env.get(ENDPOINT_ENVS[kind]) or settings.endpoint
        services[kind] = Reach(
            ClientSettings(settings.endpoint, settings.quota_project), endpoint == EMBEDDED
        )
    storage = config.storage.endpoint
    storage_embedded = (
        storage == EMBEDDED or (storage is None and services[BackendKind.VERTEX].embedded)
    ) and not env.get(STORAGE_EMULATOR_ENV)
    return services, Reach(ClientSettings(storage), storage_embedded)


class RemoteSession:
    """The backends of one project for one command; a context manager.

    Credentials are resolved when a backend is first needed, so commands that
    stay offline never ask for any.
    """

    def __init__(
        self,
        project: Project,
        *,
        env: Mapping[str, str] | None = None,
        parallelism: int = 8,
        budgeted: bool = True,
    ) -> None:
        self.project = project
        self.env = os.environ if env is None else env
        self.parallelism = parallelism
        self._backends: dict[BackendKind, Backend] = {}
        self._storage: StorageClient | None = None
        self._stack = contextlib.ExitStack()
        self._embedded_url: str | None = None
        self._services, self._storage_reach = reaches(project.config, self.env)
        # `timeouts.network` for the whole command; a wait polls under its --timeout.
        self._budget = NetworkBudget(project.config.timeouts.network) if budgeted else None

    def __enter__(self) -> RemoteSession:
        self._stack.enter_context(network_budget(self._budget))
        return self

    def unbudgeted(self) -> contextlib.AbstractContextManager[None]:
        """The block's calls spend no network time: `apply --wait` polls under --timeout."""
        return network_budget(None)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes the backends and stops the embedded emulator."""
        for backend in self._backends.values():
            backend.close()
        self._backends.clear()
        if self._storage is not None:
            self._storage.close()
            self._storage = None
        self._stack.close()

    def _embedded(self) -> str:
        if self._embedded_url is None:
            from tuneops.emulator import EmulatorConfig, start_emulator

            state = self.project.root / STATE_DIR
            state.mkdir(exist_ok=True)
            job_seconds = float(self.env.get("TUNEOPS_EMBEDDED_JOB_SECONDS", EMBEDDED_JOB_SECONDS))
            gemini_tuning = self.env.get(GEMINI_TUNING_ENV) or GEMINI_TUNING_CHOICES[0]
            if gemini_tuning not in GEMINI_TUNING_CHOICES:
                raise UsageError(
                    f"{GEMINI_TUNING_ENV} must be {' or '.join(GEMINI_TUNING_CHOICES)}, "
                    f"not {gemini_tuning!r}"
                )
            limit = self.env.get(EMBEDDED_LIMIT_ENV)
            try:
                config = EmulatorConfig(
                    state_path=Path(state / EMBEDDED_STATE),
                    queue_seconds=EMBEDDED_QUEUE_SECONDS,
                    job_seconds=job_seconds,
                    max_concurrent_jobs=int(limit) if limit else None,
                    gemini_tuning=gemini_tuning,
                )
            except ValueError as error:
                raise ConfigError(
                    f"the embedded emulator: {error} ({EMBEDDED_LIMIT_ENV})"
                ) from None
            self._embedded_url = self._stack.enter_context(start_emulator(config)).url
        return self._embedded_url

    def backend(self, kind: BackendKind) -> Backend:
        """The backend of `kind`, built on first use."""
        if kind not in self._backends:
            reach = self._services[kind]
            if reach.embedded:
                self._backends[kind] = build_backend(
                    kind,
                    reach.settings,
                    env=self.env,
                    endpoint=self._embedded(),
                    access_token=EMBEDDED_TOKEN,
                    api_key=EMBEDDED_TOKEN,
                )
            else:
                self._backends[kind] = build_backend(kind, reach.settings, env=self.env)
        return self._backends[kind]

    def storage(self) -> StorageClient:
        """The Cloud Storage client, built on first use (see `reaches`)."""
        if self._storage is None:
            reach = self._storage_reach
            if reach.embedded:
                self._storage = build_storage_client(
                    None, self.env, endpoint=self._embedded(), access_token=EMBEDDED_TOKEN
                )
            else:
                self._storage = build_storage_client(reach.settings, self.env)
        return self._storage

    def list_jobs(self, where: Iterable[Place]) -> tuple[RemoteJob, ...]:
        """The stack's jobs in every place, listed in parallel; any failure raises.

        A job seen from two places (a project named by id and by number) is kept once.
        """
        stack = self.project.config.stack
        targets = list(where)
        for place in targets:  # resolve credentials up front, one clear error
            self.backend(place.backend)
        limit_malloc_arenas()  # before the threads allocate: see malloc_arenas
        # One deadline for every place together: each worker's calls obey it, so
        # the pool ends by then, whatever a server does.
        seconds = self.project.config.timeouts.listing
        end = time.monotonic() + seconds

        def list_place(place: Place) -> Sequence[RemoteJob]:
            with phase_deadline(end):
                return self.backend(place.backend).list_jobs(stack, place.project, place.location)

        try:
            with ThreadPoolExecutor(
                max_workers=max(1, min(self.parallelism, len(targets)))
            ) as pool:
                listings = list(pool.map(list_place, targets))
        except RemoteError as error:
            if time.monotonic() < end and not isinstance(error, PhaseDeadlineError):
                raise
            raise PhaseTimeoutError(
                f"listing the stack's jobs took longer than {seconds:g} s "
                "(timeouts.listing in tuneops.yaml); no partial listing is used"
            ) from None
        unique: dict[str, RemoteJob] = {}
        for listing in listings:
            for job in listing:
                unique.setdefault(job.name, job)
        return tuple(sorted(unique.values(), key=lambda j: j.name))

    def with_details(self, jobs: Iterable[RemoteJob]) -> tuple[RemoteJob, ...]:
        """The jobs, with what a listing does not carry read one by one.

        A Gemini tuned model's progress and error live in its create operation,
        which only `get` reads: one more call per running or failed model. Vertex
        listings carry everything already. For status and wait, never for plans.
        """
        listed = tuple(jobs)
        wanted = [
            i
            for i, job in enumerate(listed)
            if job.backend is BackendKind.GEMINI
            and job.state in (JobState.RUNNING, JobState.FAILED)
        ]
        if not wanted:
            return listed
        backend = self.backend(BackendKind.GEMINI)
        with ThreadPoolExecutor(max_workers=max(1, min(self.parallelism, len(wanted)))) as pool:
            read = list(pool.map(lambda i: backend.get(listed[i].name), wanted))
        detailed = list(listed)
        for index, job in zip(wanted, read, strict=True):
            # Only what the listing lacks: identity stays as observed (an imported
            # model's comes from the lockfile, not from the service).
            detailed[index] = dataclasses.replace(
                listed[index],
                progress=job.progress,
                error_message=listed[index].error_message or job.error_message,
                error_code=listed[index].error_code or job.error_code,
            )
        return tuple(detailed)
