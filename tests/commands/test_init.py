"""`tuneops init` scaffolds a project that validates and plans at once."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import tuneops


def test_init_writes_a_project_that_validates(tmp_path: Path) -> None:
    target = tmp_path / "My Tuning Project"
    run = tuneops(f"tuneops init '{target}'")
    assert run.code == 0
    assert run.out.splitlines() == [
        f"wrote {target}/tuneops.yaml",
        f"wrote {target}/specs/example.yaml",
        f"wrote {target}/data/example.jsonl",
        f"wrote {target}/.gitignore",
    ]
    assert "stack: my-tuning-project\n" in (target / "tuneops.yaml").read_text("utf-8")
    assert (target / ".gitignore").read_text("utf-8").endswith(".tuneops/\n")
    example = (target / "specs" / "example.yaml").read_text("utf-8")
    assert example.startswith("# yaml-language-server: $schema=https://tuneops.dev/schemas/v1/")
    valid = tuneops(f"tuneops -C '{target}' validate")
    assert (valid.code, valid.err) == (0, "ok: 1 spec in 1 file, all valid\n")


def test_init_keeps_an_existing_gitignore_and_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/", encoding="utf-8")
    assert tuneops(f"tuneops init {tmp_path}").code == 0
    assert (tmp_path / ".gitignore").read_text("utf-8") == (
        "node_modules/\n# tuneops local state (embedded emulator, locks)\n.tuneops/\n"
    )
    config = (tmp_path / "tuneops.yaml").read_text("utf-8")
    again = tuneops(f"tuneops init {tmp_path}")
    assert again.code == 1
    assert again.err == (
        f"error: refusing to overwrite {tmp_path}/tuneops.yaml, {tmp_path}/specs/example.yaml, "
        f"{tmp_path}/data/example.jsonl; nothing was written\n"
    )
    assert (tmp_path / "tuneops.yaml").read_text("utf-8") == config


def test_durations_are_parsed_or_refused() -> None:
    from tuneops.durations import parse_duration

    assert [parse_duration(t) for t in ("90", "45s", "5m", "1h30m", "0.5")] == [
        90.0,
        45.0,
        300.0,
        5400.0,
        0.5,
    ]
    run = tuneops("tuneops wait --timeout soon")
    assert run.code == 1
    assert run.err == (
        "error: invalid duration 'soon': use seconds or units, e.g. 90, 45s, 5m, 1h30m\n"
    )
