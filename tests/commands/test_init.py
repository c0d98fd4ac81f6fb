"""`tuneops init` scaffolds a project that validates and plans at once."""

from __future__ import annotations

import json
import re
import subprocess
import sys
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
        f"wrote {target}/schemas/spec.schema.json",
        f"wrote {target}/schemas/config.schema.json",
        f"wrote {target}/schemas/lockfile.schema.json",
        f"wrote {target}/.gitignore",
    ]
    assert "stack: my-tuning-project\n" in (target / "tuneops.yaml").read_text("utf-8")
    assert (target / ".gitignore").read_text("utf-8").endswith(".tuneops/\n")
    example = (target / "specs" / "example.yaml").read_text("utf-8")
    assert example.startswith("# yaml-language-server: $schema=../schemas/spec.schema.json\n")
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


def _modeline_target(path: Path) -> Path:
    found = re.match(r"# yaml-language-server: \$schema=(\S+)\n", path.read_text("utf-8"))
    assert found, path
    return (path.parent / found.group(1)).resolve()


def test_the_modelines_point_at_schemas_in_the_project_that_check_jsonschema_uses(
    tmp_path: Path,
) -> None:
    assert tuneops(f"tuneops init {tmp_path}").code == 0
    spec_schema = _modeline_target(tmp_path / "specs" / "example.yaml")
    config_schema = _modeline_target(tmp_path / "tuneops.yaml")
    assert spec_schema == tmp_path / "schemas" / "spec.schema.json"
    assert config_schema == tmp_path / "schemas" / "config.schema.json"
    assert json.loads(spec_schema.read_text("utf-8")) == json.loads(
        tuneops("tuneops schema spec").out
    )
    bad = tmp_path / "specs" / "bad.yaml"
    bad.write_text(
        (tmp_path / "specs" / "example.yaml")
        .read_text("utf-8")
        .replace("epochCount: 3", "epochCount: 0"),
        encoding="utf-8",
    )
    checker = str(Path(sys.executable).parent / "check-jsonschema")

    def check(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
        argv = [checker, "--schemafile", str(schema), *map(str, files)]
        return subprocess.run(argv, capture_output=True, text=True, check=False)

    assert check(spec_schema, tmp_path / "specs" / "example.yaml").returncode == 0
    assert check(config_schema, tmp_path / "tuneops.yaml").returncode == 0
    refused = check(spec_schema, bad)
    assert refused.returncode == 1
    assert "epochCount" in refused.stdout


def test_init_leaves_identical_schemas_alone_and_refuses_to_overwrite_others(
    tmp_path: Path,
) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "spec.schema.json").write_text(tuneops("tuneops schema spec").out)
    (tmp_path / "schemas" / "config.schema.json").write_text("{}")
    run = tuneops(f"tuneops init {tmp_path}")
    assert run.code == 1
    assert run.err == (
        f"error: refusing to overwrite {tmp_path}/schemas/config.schema.json; nothing was written\n"
    )
    (tmp_path / "schemas" / "config.schema.json").unlink()
    run = tuneops(f"tuneops init {tmp_path}")
    assert run.code == 0
    assert f"wrote {tmp_path}/schemas/spec.schema.json" not in run.out
