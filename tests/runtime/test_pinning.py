"""Pinned specs and the lockfile: a spec in sync holds its revision's snapshot, not a copy."""

from __future__ import annotations

from dataclasses import replace

from tests.core.builders import entry, job, lockfile, revision, spec
from tuneops.runtime.pinning import as_recorded, pin_offline
from tuneops.specs.hashing import spec_hash, with_dataset_pins
from tuneops.specs.kinds import JobState

PIN = {"generation": "17", "size": 504, "crc32c": "tCHEKQ==", "exampleCount": 4}


def test_a_spec_in_sync_shares_the_snapshot_and_hash_its_revision_recorded() -> None:
    pinned = with_dataset_pins(spec("bot"), {"trainingDataset": PIN})
    done = revision(job(pinned, 1, JobState.SUCCEEDED), pinned)
    shared = as_recorded(pinned, entry(pinned, done))
    assert shared.canonical is done.spec
    assert shared.spec_hash is done.spec_hash
    assert shared == replace(pinned, canonical=done.spec)  # the same values otherwise


def test_offline_pins_come_from_the_lockfile_and_share_its_snapshot() -> None:
    pinned = with_dataset_pins(spec("bot"), {"trainingDataset": PIN})
    done = revision(job(pinned, 1, JobState.SUCCEEDED), pinned)
    (offline,) = pin_offline([spec("bot")], lockfile(bot=entry(pinned, done)))
    assert offline.spec_hash == pinned.spec_hash
    assert offline.canonical is done.spec


def test_a_snapshot_equal_only_by_python_equality_is_not_shared() -> None:
    # `1 == 1.0`, but they are different canonical JSON, so a different spec.
    pinned = with_dataset_pins(spec("bot"), {"trainingDataset": PIN})
    done = revision(job(pinned, 1, JobState.SUCCEEDED), pinned)
    loose = {**pinned.canonical, "datasetPins": {"trainingDataset": {**PIN, "size": 504.0}}}
    assert loose == pinned.canonical and spec_hash(loose) != pinned.spec_hash
    unequal = entry(pinned, replace(done, spec=loose))
    assert as_recorded(pinned, unequal) is pinned


def test_a_changed_spec_keeps_its_own_canonical_form() -> None:
    old = spec("bot", epochs=3)
    done = revision(job(old, 1, JobState.SUCCEEDED), old)
    new = spec("bot", epochs=4)
    assert as_recorded(new, entry(old, done)) is new
    assert as_recorded(new, None) is new
