"""Cloud Storage answers and dataset files, untrusted end to end (issue 22).

A hostile server on 127.0.0.1 in front of the emulator rewrites the answers it is
told to; a dataset file is swapped for a symlink while a command runs. Each case
failed before the fix: a staged object with a wrong crc32c was trained on, media
larger than its metadata was pinned, and a swapped file's target was uploaded
(then deleted, with an error telling the user to delete it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.commands.project import (
    Project,
    local_vertex_spec,
    staging_project,
    use_credentials,
    vertex_spec,
)
from tests.hostile import HostileServer, Reply, Seen
from tuneops.emulator import EmulatorHandle

REPO = Path(__file__).resolve().parents[2]
DATASET = REPO / "data" / "support-train.jsonl"
BUCKET = "acme-staging"
SECRET = b'{"contents": [{"role": "user", "parts": [{"text": "outside-secret"}]}]}\n'


@pytest.fixture
def staged(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    made = staging_project(root, emulator, monkeypatch)
    (root / "data").mkdir()
    shutil.copy(DATASET, root / "data" / "train.jsonl")
    made.write(local_vertex_spec())
    return made


def staged_name(project: Project) -> str:
    digest = hashlib.sha256((project.root / "data" / "train.jsonl").read_bytes()).hexdigest()
    return f"e2e/{digest}.jsonl"


def forwarded(change: Callable[[dict[str, Any]], None]) -> Callable[[Seen], Reply]:
    def script(seen: Seen) -> Reply:
        answer = seen.forward()
        data = json.loads(answer.body)
        if answer.status == 200:
            change(data)
        return Reply.of(answer.status, data)

    return script


def uploads(hostile: HostileServer) -> list[Seen]:
    return [s for s in hostile.seen if s.method == "POST" and s.path.startswith("/upload/")]


# --- pinned gs:// media --------------------------------------------------------------


def test_media_larger_than_its_metadata_and_of_another_crc32c_is_not_pinned(
    tmp_path: Path,
    emulator: EmulatorHandle,
    hostile: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_credentials(monkeypatch)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    project = Project(tmp_path, emulator)
    project.write(vertex_spec("bot"))
    lines = DATASET.read_bytes().splitlines(keepends=True)
    planted, served = lines[0], b"".join(lines[:3])  # both valid JSONL
    generation = emulator.put_object("gs://acme/bot.jsonl", planted)

    def media(seen: Seen) -> Reply:
        return Reply(200, served) if seen.query.get("alt") == "media" else seen.forward()

    hostile.rule("GET", r"/storage/v1/b/acme/o/bot\.jsonl", media)
    project.configure(storage={"endpoint": hostile.url})
    run = project.run("tuneops plan")
    assert run.code == 1, run.out
    assert run.err == (
        f"error: gs://acme/bot.jsonl: GET {hostile.url}/storage/v1/b/acme/o/bot.jsonl: "
        f"the media of generation {generation} is longer than the {len(planted):,} bytes its "
        "metadata says; it is not used\n"
    )
    assert not (project.root / "tuneops.lock").exists()


# --- staged objects -----------------------------------------------------------------


def test_a_staged_object_of_the_same_size_without_md5_and_another_crc32c_is_replaced(
    staged: Project, emulator: EmulatorHandle, hostile: HostileServer
) -> None:
    name = staged_name(staged)
    ours = (staged.root / "data" / "train.jsonl").read_bytes()
    tampered = ours.replace(b"order", b"ORDER")
    assert len(tampered) == len(ours) and tampered != ours
    planted = emulator.put_object(f"gs://{BUCKET}/{name}", tampered)

    def no_md5(data: dict[str, Any]) -> None:
        data.pop("md5Hash", None)  # as for a composite object

    hostile.rule("GET", r"/storage/v1/b/acme-staging/o/.*", forwarded(no_md5))
    staged.configure(storage={"endpoint": hostile.url})
    run = staged.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    assert f"gs://{BUCKET}/{name} holds other content than data/train.jsonl" in run.err
    (upload,) = uploads(hostile)
    assert upload.query["ifGenerationMatch"] == str(planted)
    assert upload.body == ours
    (job,) = staged.remote()
    assert job["supervisedTuningSpec"]["trainingDatasetUri"] == f"gs://{BUCKET}/{name}"


def test_an_upload_stored_with_other_checksums_is_deleted_and_the_error_says_so(
    staged: Project, emulator: EmulatorHandle, hostile: HostileServer
) -> None:
    def other_crc(data: dict[str, Any]) -> None:
        data["crc32c"] = "AAAAAA=="

    hostile.rule("POST", r"/upload/storage/v1/b/acme-staging/o", forwarded(other_crc))
    staged.configure(storage={"endpoint": hostile.url})
    run = staged.run("tuneops apply --auto-approve")
    assert run.code == 1
    name = staged_name(staged)
    assert (
        f"gs://{BUCKET}/{name} as stored does not hold the bytes of data/train.jsonl that "
        "tuneops checked" in run.out
    )
    assert "no job was created from it, and tuneops deleted the object it had uploaded" in run.out
    assert "delete the object" not in run.out
    deletes = [s for s in hostile.seen if s.method == "DELETE"]
    assert len(deletes) == 1
    assert staged.remote() == []


# --- dataset files swapped for symlinks ---------------------------------------------------


def swap_for_symlink(project: Project, outside: Path) -> Callable[[Seen], Reply]:
    def script(seen: Seen) -> Reply:
        data = project.root / "data" / "train.jsonl"
        if not data.is_symlink():
            data.unlink()
            data.symlink_to(outside)
        return seen.forward()

    return script


def test_a_dataset_swapped_for_a_symlink_before_its_upload_is_never_sent(
    staged: Project, hostile: HostileServer, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(SECRET * 40)
    ours = (staged.root / "data" / "train.jsonl").read_bytes()
    # The swap lands after the file was checked and hashed, before the upload.
    hostile.rule("GET", r"/storage/v1/b/acme-staging/o/.*", swap_for_symlink(staged, outside))
    staged.configure(storage={"endpoint": hostile.url})
    run = staged.run("tuneops apply --auto-approve")
    assert run.code == 0, run.err
    (upload,) = uploads(hostile)
    assert upload.body == ours  # the bytes hashed, from the one descriptor
    assert all(b"outside-secret" not in seen.body for seen in hostile.seen)


def test_a_dataset_swapped_for_a_symlink_before_it_is_read_again_is_refused(
    staged: Project, hostile: HostileServer, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(SECRET * 40)
    # The swap lands while apply lists the jobs: after validation, before staging
    # reads the file again (token counting uses the examples validation parsed).
    hostile.rule("GET", r"/v1/projects/.*/tuningJobs", swap_for_symlink(staged, outside))
    staged.vertex["endpoint"] = hostile.url
    staged.configure(storage={"endpoint": hostile.url})
    run = staged.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert (
        "  ✗ create   bot: data/train.jsonl is no longer the regular file inside the project "
        "that was checked (replaced by a symlink or moved?); nothing was read from it\n"
    ) in run.out
    assert all(b"outside-secret" not in seen.body for seen in hostile.seen)
    assert uploads(hostile) == []
    assert staged.remote() == []
