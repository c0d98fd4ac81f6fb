"""gs:// datasets are pinned: an overwrite by another client is a replace in the plan,
a deletion only matters when a job would be created from the object."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.cloud import storage

from tests.commands.project import (
    DATASET_LINE,
    Project,
    plan_json,
    use_credentials,
    vertex_spec,
)
from tuneops.emulator import EmulatorHandle

# As long as the line the helper uploads (105 bytes): two of them double the size.
NEW_LINE = (
    b'{"contents": [{"role": "user", "parts": [{"text": "V"}]}, '
    b'{"role": "model", "parts": [{"text": "VI"}]}]}\n'
)


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Project:
    use_credentials(monkeypatch)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    made = Project(tmp_path, emulator)
    made.write(vertex_spec("bot"))
    assert made.run("tuneops apply --auto-approve").code == 0
    return made


def gcs(emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> storage.Bucket:
    """Google's own client on the emulated bucket, as another team would use it."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    bucket = storage.Client(project="acme-ml").bucket("acme")
    return bucket


def test_the_lockfile_records_generation_size_and_crc32c(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = gcs(emulator, monkeypatch).get_blob("bot.jsonl")
    assert blob is not None
    pins = project.lock()["bot"]["pending"]["spec"]["datasetPins"]
    assert pins == {
        "trainingDataset": {
            "generation": str(blob.generation),
            "size": blob.size,
            "crc32c": blob.crc32c,
            "exampleCount": 1,
            "estimatedTokens": 1,
        }
    }


def test_an_overwrite_by_another_client_plans_a_replace_with_the_generation_change(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = gcs(emulator, monkeypatch).blob("bot.jsonl")
    blob.reload()
    old = blob.generation
    blob.upload_from_string(NEW_LINE * 2)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    run = project.run("tuneops plan")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].startswith("  ± replace  bot  spec changed")
    assert lines[1] == (
        f"        ! dataset changed: trainingDataset generation {old} → {blob.generation}, "
        "1 → 2 examples"
    )
    assert (
        f'        ~ datasetPins.trainingDataset.generation: "{old}" → "{blob.generation}"' in lines
    )
    assert "        ~ datasetPins.trainingDataset.size: 105 → 210" in lines
    assert "        ~ datasetPins.trainingDataset.exampleCount: 1 → 2" in lines
    assert project.run("tuneops apply --auto-approve").code == 0
    assert len(project.remote()) == 2


def test_ignore_changes_keeps_the_job_when_the_object_is_overwritten(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(
        vertex_spec("bot")
        | {"spec": {**vertex_spec("bot")["spec"], "datasetPolicy": "ignoreChanges"}}
    )
    assert project.run("tuneops apply --auto-approve").code == 0
    gcs(emulator, monkeypatch).blob("bot.jsonl").upload_from_string(NEW_LINE)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    run = project.run("tuneops plan --detailed-exitcode")
    assert (run.code, run.out) == (0, "No changes. The remote jobs match the specs.\n")


def test_a_deleted_pinned_object_is_news_and_only_an_error_when_a_job_needs_it(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    blob = gcs(emulator, monkeypatch).blob("bot.jsonl")
    blob.reload()
    generation = blob.generation
    blob.delete()
    monkeypatch.delenv("STORAGE_EMULATOR_HOST")
    job = project.remote()[0]["name"]
    run = project.run("tuneops plan --detailed-exitcode")
    assert (run.code, run.out) == (
        0,
        f"  ! dataset missing  bot  gs://acme/bot.jsonl (trainingDataset, pinned generation "
        f"{generation}) no longer exists\n"
        f"        the job {job} (pending) may fail if the service has not read the data yet\n"
        "        the next replace of bot is refused until the object is back: restore "
        f"generation {generation} or point the spec at another object\n"
        "\n"
        "No changes to apply, but 1 pinned dataset no longer exists.\n",
    )
    [notice] = plan_json(project)["datasetNotices"]
    assert notice == {
        "code": "pinned-object-missing",
        "spec": "bot",
        "field": "trainingDataset",
        "uri": "gs://acme/bot.jsonl",
        "pinnedGeneration": str(generation),
        "job": job,
        "jobState": "pending",
    }
    (project.root / "specs" / "bot.yaml").write_text(
        (project.root / "specs" / "bot.yaml").read_text().replace("epochCount: 3", "epochCount: 4")
    )
    before = project.creates()
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert run.err == (
        "error: no such Cloud Storage object, and a job would be created from it: "
        "bot: gs://acme/bot.jsonl\n"
    )
    assert project.creates() == before


def test_the_pins_of_objects_under_one_prefix_come_from_listing_pages(
    project: Project, emulator: EmulatorHandle
) -> None:
    for index in range(6):
        spec = vertex_spec(f"team-{index}")
        spec["spec"]["trainingDataset"] = f"gs://acme/stack/team-{index}/train.jsonl"
        spec["spec"]["validationDataset"] = f"gs://acme/stack/team-{index}/val.jsonl"
        project.write(spec)
    scattered = vertex_spec("scattered")
    scattered["spec"]["trainingDataset"] = "gs://elsewhere/one.jsonl"
    project.write(scattered)
    project.put_object("gs://acme/unrelated/notes.txt", b"not a dataset")
    assert project.run("tuneops apply --auto-approve").code == 0
    emulator.clear_request_counts()
    run = project.run("tuneops plan --detailed-exitcode")
    assert (run.code, run.out) == (0, "No changes. The remote jobs match the specs.\n")
    storage = {k: v for k, v in emulator.request_counts().items() if "/storage/" in k}
    # 13 objects in bucket acme: one listing page; the lone object elsewhere: one GET.
    assert storage == {
        "GET /storage/v1/b/{bucket}/o": 1,
        "GET /storage/v1/b/{bucket}/o/{object}": 1,
    }


def test_a_new_spec_on_a_missing_object_is_an_error_before_any_create(
    project: Project, emulator: EmulatorHandle
) -> None:
    path = project.root / "specs" / "other.yaml"
    path.write_text(
        (project.root / "specs" / "bot.yaml")
        .read_text()
        .replace("name: bot", "name: other")
        .replace("gs://acme/bot.jsonl", "gs://acme/nowhere.jsonl")
    )
    before = project.creates()
    run = project.run("tuneops apply --auto-approve")
    assert (run.code, run.err) == (
        1,
        "error: no such Cloud Storage object, and a job would be created from it: "
        "other: gs://acme/nowhere.jsonl\n",
    )
    assert project.creates() == before


def test_offline_plans_use_the_recorded_pins(project: Project) -> None:
    run = project.run("tuneops plan --offline --detailed-exitcode")
    assert run.code == 0, run.out


def test_one_metadata_read_per_distinct_object(project: Project, emulator: EmulatorHandle) -> None:
    for name in ("bot-two", "bot-three"):
        spec = vertex_spec(name)
        spec["spec"]["trainingDataset"] = "gs://acme/bot.jsonl"
        project.write(spec)
    emulator.clear_request_counts()
    plan_json(project)
    assert emulator.request_counts()["GET /storage/v1/b/{bucket}/o/{object}"] == 1


def test_a_bad_line_in_a_new_object_generation_stops_the_run_before_any_create(
    project: Project, emulator: EmulatorHandle
) -> None:
    project.put_object("gs://acme/bot.jsonl", DATASET_LINE + b'{"contents": []}\n')
    before = project.creates()
    run = project.run("tuneops apply --auto-approve")
    assert run.code == 1
    assert run.err == (
        "gs://acme/bot.jsonl:2:1: error: $.contents: contents must be a non-empty list of turns\n"
        "error: 1 error in the input files\n"
    )
    assert project.creates() == before


def test_only_new_generations_are_read(project: Project, emulator: EmulatorHandle) -> None:
    # Metadata and media share the route: one GET is the metadata alone, two add the media.
    route = "GET /storage/v1/b/{bucket}/o/{object}"
    emulator.clear_request_counts()
    plan_json(project)
    assert emulator.request_counts()[route] == 1  # recorded generation: no download
    project.put_object("gs://acme/bot.jsonl", DATASET_LINE * 3)
    emulator.clear_request_counts()
    plan = plan_json(project)
    assert emulator.request_counts()[route] == 2
    changes = {c["path"]: c for c in plan["actions"][0]["changes"]}
    assert changes["datasetPins.trainingDataset.exampleCount"]["new"] == 3


def test_status_falls_back_to_the_lockfile_when_a_dataset_is_missing(project: Project) -> None:
    path = project.root / "specs" / "other.yaml"
    path.write_text(
        (project.root / "specs" / "bot.yaml")
        .read_text()
        .replace("name: bot", "name: other")
        .replace("gs://acme/bot.jsonl", "gs://acme/nowhere.jsonl")
    )
    run = project.run("tuneops status")
    assert run.code == 0
    assert run.err == (
        "warning: no such Cloud Storage object, and a job would be created from it: "
        "other: gs://acme/nowhere.jsonl; showing what the lockfile records\n"
    )


def test_a_job_made_unpinned_stays_so_until_its_spec_changes(
    project: Project, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No upgrade or policy switch replaces a job by itself: pins start at the next replace."""
    spec = vertex_spec("bot")
    spec["spec"]["datasetPolicy"] = "ignoreChanges"
    project.write(spec)
    assert project.run("tuneops apply --auto-approve").code == 0  # a job without pins
    project.write(vertex_spec("bot"))  # back to pinning
    assert project.run("tuneops plan --detailed-exitcode").code == 0
    project.put_object("gs://acme/bot.jsonl", NEW_LINE * 2)
    assert project.run("tuneops plan --detailed-exitcode").code == 0
    project.write(vertex_spec("bot", epochs=4))
    assert project.run("tuneops apply --auto-approve").code == 0
    pins = project.lock()["bot"]["pending"]["spec"]["datasetPins"]["trainingDataset"]
    assert pins["exampleCount"] == 2


def test_a_pinned_action_also_names_the_hash_as_written_which_an_offline_plan_has(
    project: Project,
) -> None:
    from tests.commands.test_json_output import document

    project.write(vertex_spec("new"))
    online = document("plan", project.run("tuneops plan --format json").out)
    offline = document("plan", project.run("tuneops plan --offline --format json").out)
    [create] = online["actions"]
    [unpinned] = offline["actions"]
    assert create["action"] == unpinned["action"] == "create"
    assert create["writtenHash"] != create["specHash"]
    assert unpinned["specHash"] == create["writtenHash"]
    assert "writtenHash" not in unpinned  # nothing was pinned offline
