"""Apply records each action in a journal and writes the lockfile once (counted, not timed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.commands.project import Project, use_credentials, vertex_spec
from tuneops.emulator import EmulatorHandle
from tuneops.errors import LockfileError
from tuneops.lockfile import file as lockfile_module
from tuneops.lockfile.file import read_lockfile
from tuneops.lockfile.journal import journal_path
from tuneops.runtime import applier as applier_module


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    return Project(tmp_path, emulator)


@pytest.fixture
def lockfile_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the lockfile writes that change the file (the real writer still runs)."""
    written: list[int] = []
    real = lockfile_module.write_lockfile

    def counting(path: Path, lockfile: lockfile_module.Lockfile) -> bool:
        changed = real(path, lockfile)
        written.append(int(changed))
        return changed

    monkeypatch.setattr(applier_module, "write_lockfile", counting)
    return written


def test_an_apply_of_six_creates_writes_the_lockfile_twice_not_seven_times(
    project: Project, lockfile_writes: list[int]
) -> None:
    project.write(*(vertex_spec(f"bot-{i:02d}") for i in range(6)))

    run = project.run("tuneops apply --auto-approve --parallelism 4")

    assert run.code == 0, run.err
    assert "Apply complete: 6 done, 0 failed." in run.out
    # Once at the start (the refresh from the listing), once at the end: not once per
    # action, which made apply quadratic in the size of the lockfile.
    assert len(lockfile_writes) == 2
    assert len(project.lock()) == 6
    assert not journal_path(project.root / "tuneops.lock").exists()


def _interrupt_after(count: int) -> Callable[[applier_module.Outcome], None]:
    seen: list[applier_module.Outcome] = []

    def report(outcome: applier_module.Outcome) -> None:
        seen.append(outcome)
        if len(seen) == count:
            raise KeyboardInterrupt

    return report


def test_an_interrupted_apply_leaves_a_journal_that_the_next_run_folds_in(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(*(vertex_spec(f"bot-{i:02d}") for i in range(6)))
    real_init = applier_module.Applier.__init__

    def interrupted_init(self: applier_module.Applier, *args: object, **kwargs: object) -> None:
        kwargs["on_outcome"] = _interrupt_after(3)
        kwargs["parallelism"] = 1
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(applier_module.Applier, "__init__", interrupted_init)
    run = project.run("tuneops apply --auto-approve")
    monkeypatch.undo()
    use_credentials(monkeypatch)

    assert run.code == 130
    lock_path = project.root / "tuneops.lock"
    journal = journal_path(lock_path)
    lines = journal.read_text("utf-8").splitlines()
    created = {job["name"] for job in project.remote()}
    # The worker may have started one more create before the interrupt reached it.
    assert 3 <= len(created) <= 4
    # The journal, not the lockfile, holds every job the run created.
    assert {json.loads(line)["entry"]["pending"]["job"] for line in lines} == created
    folded = read_lockfile(lock_path, "e2e")
    assert {e.pending.job for e in folded.entries.values() if e.pending} == created

    plan = project.run("tuneops plan --format json")
    kinds = [action["action"] for action in json.loads(plan.out)["actions"]]
    assert kinds.count("create") == 6 - len(created)
    again = project.run("tuneops apply --auto-approve")
    assert again.code == 0, again.err
    assert not journal.exists()
    recorded = yaml.safe_load(lock_path.read_text("utf-8"))["specs"]
    assert len(recorded) == 6
    assert len(project.remote()) == 6  # no job was created twice


def test_a_torn_last_journal_line_is_ignored_and_a_bad_middle_line_is_an_error(
    project: Project,
) -> None:
    project.write(vertex_spec("bot"))
    assert project.run("tuneops apply --auto-approve").code == 0
    lock_path = project.root / "tuneops.lock"
    entry = yaml.safe_load(lock_path.read_text("utf-8"))["specs"]["bot"]
    entry["protect"] = True
    good = json.dumps({"name": "bot", "entry": entry})
    journal = journal_path(lock_path)

    journal.write_text(good + "\n" + good[:40], encoding="utf-8")
    assert read_lockfile(lock_path, "e2e").entries["bot"].protect is True

    journal.write_text(good[:40] + "\n" + good + "\n", encoding="utf-8")
    with pytest.raises(LockfileError, match=r"journal .* is corrupt at line 1"):
        read_lockfile(lock_path, "e2e")
