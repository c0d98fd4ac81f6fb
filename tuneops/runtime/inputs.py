"""Gathering what a plan is computed from: specs, lockfile and remote jobs.

Specs are loaded and validated before anything else, so an invalid spec stops a
run before any credential is asked for or any remote call is made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from tuneops import __version__
from tuneops.backends.transport.errors import InvalidResponseError, NotFoundError
from tuneops.core.cost.estimate import TokenCount
from tuneops.core.cost.pricing import plan_costs
from tuneops.core.dataset_notices import MissingPin, missing_object_notices
from tuneops.core.jobs import RemoteJob, short_hash
from tuneops.core.model_notices import ModelUse, live_notices, spec_notices
from tuneops.core.plan import Plan, PlanOptions
from tuneops.core.planner import make_plan
from tuneops.errors import LockfileError, SpecError
from tuneops.lockfile.file import Lockfile, read_lockfile
from tuneops.project.file import Project
from tuneops.runtime.cost_tokens import count_training_tokens
from tuneops.runtime.pinning import pin_offline, pin_online_report
from tuneops.runtime.session import CAPABILITIES, RemoteSession, places
from tuneops.runtime.staging.bucket_check import missing_staging_bucket
from tuneops.specs.loader import load_specs
from tuneops.specs.models import JobSpec


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything a plan depends on."""

    project: Project
    specs: tuple[JobSpec, ...]
    lockfile: Lockfile
    remote: tuple[RemoteJob, ...] | None
    training_tokens: Mapping[str, TokenCount] = field(default_factory=dict)
    # Pinned objects that are gone while their jobs stand (runtime.pinning).
    missing_pins: tuple[MissingPin, ...] = ()


@dataclass(frozen=True, slots=True)
class Local:
    """What a plan reads from the checkout: the valid specs and the lockfile.

    `specs` carry the dataset pins the lockfile recorded (runtime.pinning);
    `declared` are the specs as loaded, before any pin.
    """

    specs: tuple[JobSpec, ...]
    lockfile: Lockfile
    declared: tuple[JobSpec, ...] = ()


def load_local(
    project: Project, on_broken_lockfile: Callable[[LockfileError], None] | None = None
) -> Local:
    """The valid specs (or a SpecError listing every problem) and the lockfile.

    With `on_broken_lockfile`, an unreadable lockfile is reported to it and an
    empty one is used instead, to be rebuilt from the remote labels (reconcile).
    """
    # The training files' parsed examples are kept for countTokens: parsed once per run.
    specs = load_specs(
        [project.specs_dir],
        project.root,
        project.config.defaults,
        project.model_policy,
        share_examples=True,
    ).require_valid()
    problems = missing_staging_bucket(project, specs)
    if problems:
        raise SpecError(problems)
    try:
        lockfile = read_lockfile(project.lockfile_path, project.config.stack)
    except LockfileError as error:
        if on_broken_lockfile is None:
            raise
        on_broken_lockfile(error)
        lockfile = Lockfile(project.config.stack)
    return Local(pin_offline(specs, lockfile), lockfile, specs)


def observe(
    session: RemoteSession, specs: Sequence[JobSpec], lockfile: Lockfile
) -> tuple[RemoteJob, ...]:
    """The stack's jobs: one listing per place, plus the imported jobs the lockfile names.

    Imported jobs carry no tuneops labels, so no listing finds them; each is
    fetched by name (the one exception to "no GET per job") and seen with the
    identity the lockfile gives it. One that no longer exists is left out, which
    reconcile reports as drift.
    """
    listed = session.list_jobs(places(specs, lockfile))
    seen = {job.name for job in listed}
    _check_listing(session, lockfile, seen)
    imported: list[RemoteJob] = []
    for name, entry in lockfile.entries.items():
        for revision in entry.revisions():
            if not revision.imported or revision.job in seen:
                continue
            try:
                job = session.backend(entry.backend).get(revision.job)
            except NotFoundError:
                continue
            imported.append(
                replace(
                    job,
                    spec_name=name,
                    spec_hash=short_hash(revision.spec_hash),
                    stack=lockfile.stack,
                    protect=entry.protect,
                    imported=True,
                )
            )
    return tuple(sorted((*listed, *imported), key=lambda job: job.name))


def _check_listing(session: RemoteSession, lockfile: Lockfile, seen: set[str]) -> None:
    """Fetches each live job of the lockfile that the listing left out.

    A listing that omits a live job of ours (a server answering `{}`, a broken
    filter) would make the planner start a second job for an unchanged spec. If
    the job exists and carries the stack's labels, the listing is wrong and the
    plan stops; if it is gone, the planner sees that as drift.
    """
    for name, entry in sorted(lockfile.entries.items()):
        for revision in entry.revisions():
            if revision.imported or revision.job in seen or not revision.state.is_live:
                continue
            try:
                job = session.backend(entry.backend).get(revision.job)
            except NotFoundError:
                continue
            if job.stack == lockfile.stack:
                raise InvalidResponseError(
                    f"the listing of the stack's jobs left out {revision.job} (spec {name!r}), "
                    f"which exists and is {job.state.value}; the service's listing cannot be "
                    "trusted, so nothing is planned"
                )


def gather(project: Project, session: RemoteSession | None, local: Local | None = None) -> Inputs:
    """Specs, lockfile and, unless offline (no session), the stack's remote jobs.

    `local` is what the caller already loaded, so that nothing is read twice.
    """
    local = local or load_local(project)
    if session is None:
        return Inputs(project, local.specs, local.lockfile, None)
    # The listing first: it is what every plan needs, and where it cannot be read
    # that is the error to report; dataset pins do not change where jobs live.
    remote = observe(session, local.specs, local.lockfile)
    pinned = pin_online_report(session, local.declared or local.specs, local.lockfile)
    counted = count_training_tokens(session, pinned.specs, remote)
    return Inputs(project, pinned.specs, local.lockfile, remote, counted, pinned.missing)


@dataclass(frozen=True, slots=True)
class PlanFlags:
    """The plan-shaping flags as given on the command line (None: not given)."""

    targets: tuple[str, ...] = ()
    retry_failed: bool = False
    allow_empty: bool = False
    max_cancel: int | None = None
    max_create: int | None = None


def plan_options(project: Project, flags: PlanFlags) -> PlanOptions:
    """Options from the command line, with the guards of tuneops.yaml as defaults."""
    guards = project.config.guards
    return PlanOptions(
        targets=flags.targets,
        retry_failed=flags.retry_failed,
        allow_empty=flags.allow_empty,
        max_cancel=guards.max_cancel if flags.max_cancel is None else flags.max_cancel,
        max_create=guards.max_create if flags.max_create is None else flags.max_create,
        prune=project.config.prune,
        max_cost=guards.max_cost,
        max_concurrent_jobs=project.config.vertex.max_concurrent_jobs,
    )


def compute_plan(inputs: Inputs, options: PlanOptions) -> Plan:
    """The plan for `inputs` under `options`, with the cost of every new job."""
    plan = make_plan(
        inputs.project.config.stack,
        inputs.specs,
        inputs.lockfile,
        inputs.remote,
        options,
        CAPABILITIES,
        __version__,
    )
    if inputs.missing_pins:
        missing = missing_object_notices(inputs.missing_pins, inputs.lockfile)
        plan = replace(plan, dataset_notices=missing)
    pricing = inputs.project.config.pricing
    models = inputs.project.model_policy
    priced = plan_costs(
        plan,
        {spec.name: spec for spec in inputs.specs},
        inputs.training_tokens,
        pricing.training_per_million_tokens,
        pricing.currency,
        models.catalogue,
    )
    uses = (ModelUse.of(spec) for spec in inputs.specs)
    about_specs = spec_notices(uses, models.catalogue, models.today, models.emulated)
    about_jobs = live_notices(inputs.lockfile, models.catalogue, models.today)
    return replace(priced, model_notices=about_specs + about_jobs)
