"""Gathering what a plan is computed from: specs, lockfile and remote jobs.

Specs are loaded and validated before anything else, so an invalid spec stops a
run before any credential is asked for or any remote call is made.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuneops import __version__
from tuneops.backends.base import RemoteJob
from tuneops.config import Project
from tuneops.lockfile import Lockfile, read_lockfile
from tuneops.plan import Plan, PlanOptions
from tuneops.planner import make_plan
from tuneops.remote import CAPABILITIES, RemoteSession, places
from tuneops.specs.loader import load_specs
from tuneops.specs.models import JobSpec


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything a plan depends on."""

    project: Project
    specs: tuple[JobSpec, ...]
    lockfile: Lockfile
    remote: tuple[RemoteJob, ...] | None


def load_local(project: Project) -> tuple[tuple[JobSpec, ...], Lockfile]:
    """The valid specs (or a SpecError listing every problem) and the lockfile."""
    specs = load_specs([project.specs_dir], project.root, project.config.defaults).require_valid()
    lockfile = read_lockfile(project.lockfile_path, project.config.stack)
    return specs, lockfile


def gather(project: Project, session: RemoteSession | None) -> Inputs:
    """Specs, lockfile and, unless offline (no session), the stack's remote jobs."""
    specs, lockfile = load_local(project)
    remote = session.list_jobs(places(specs, lockfile)) if session is not None else None
    return Inputs(project, specs, lockfile, remote)


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
    )


def compute_plan(inputs: Inputs, options: PlanOptions) -> Plan:
    """The plan for `inputs` under `options`."""
    return make_plan(
        inputs.project.config.stack,
        inputs.specs,
        inputs.lockfile,
        inputs.remote,
        options,
        CAPABILITIES,
        __version__,
    )
