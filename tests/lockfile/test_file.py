"""The lockfile: canonical, validated on read, written atomically and only on change."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.core.builders import BOT_SPEC, entry, job, lockfile, revision
from tuneops.errors import LockfileError
from tuneops.lockfile.file import HEADER, LockEntry, Lockfile, read_lockfile, write_lockfile
from tuneops.specs.kinds import BackendKind, JobState


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    done, running = job(BOT_SPEC, 1, JobState.SUCCEEDED), job(BOT_SPEC, 2)
    original = lockfile(bot=entry(BOT_SPEC, revision(done, BOT_SPEC), revision(running), True))
    path = tmp_path / "tuneops.lock"
    assert write_lockfile(path, original) is True
    assert read_lockfile(path, "demo") == original


def test_text_is_canonical_sorted_and_headed(tmp_path: Path) -> None:
    done = job(BOT_SPEC, 1, JobState.SUCCEEDED)
    path = tmp_path / "tuneops.lock"
    write_lockfile(path, lockfile(zeta=entry(BOT_SPEC), bot=entry(BOT_SPEC, revision(done))))
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    assert text.index("  bot:") < text.index("  zeta:")
    assert "endpoint: projects/1/locations/us-central1/endpoints/1\n" in text


def test_unchanged_content_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "tuneops.lock"
    write_lockfile(path, lockfile(bot=entry(BOT_SPEC)))
    before = path.stat().st_mtime_ns
    assert write_lockfile(path, lockfile(bot=entry(BOT_SPEC))) is False
    assert path.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tuneops.lock"]


def test_a_missing_lockfile_is_empty(tmp_path: Path) -> None:
    assert read_lockfile(tmp_path / "tuneops.lock", "demo") == lockfile()


def test_a_hand_broken_lockfile_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tuneops.lock"
    write_lockfile(path, lockfile(bot=entry(BOT_SPEC)))
    path.write_text(path.read_text("utf-8").replace("protect: false", "protect: maybe"), "utf-8")
    with pytest.raises(LockfileError) as caught:
        read_lockfile(path, "demo")
    assert str(caught.value) == (
        f"the lockfile is corrupt: {path}:10:14: error: $.specs.bot.protect: 'maybe' is not of "
        "type 'boolean'; delete it and run `tuneops plan`: tuneops finds its jobs again by "
        "their labels and adopts them"
    )


def test_a_lockfile_of_another_stack_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tuneops.lock"
    write_lockfile(path, lockfile(bot=entry(BOT_SPEC)))
    with pytest.raises(LockfileError, match=r"belongs to stack 'demo', but tuneops\.yaml says"):
        read_lockfile(path, "other")


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_lockfile_follows_the_umask(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        path = tmp_path / "tuneops.lock"
        write_lockfile(path, Lockfile("prod"))
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    finally:
        os.umask(previous)


def test_a_rewritten_lockfile_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "tuneops.lock"
    write_lockfile(path, Lockfile("prod"))
    path.chmod(0o640)
    write_lockfile(
        path, Lockfile("prod", {}).with_entry("x", LockEntry(BackendKind.GEMINI, "a" * 64))
    )
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-16"),  # libyaml would follow its byte order mark
        lambda text: text.encode("utf-8").replace(b"protect: false", b"protect: \xff"),
    ],
    ids=["utf-16", "invalid utf-8"],
)
def test_a_lockfile_that_is_not_utf8_is_refused_as_such(tmp_path: Path, encode: Any) -> None:
    path = tmp_path / "tuneops.lock"
    write_lockfile(path, lockfile(bot=entry(BOT_SPEC)))
    raw = encode(path.read_text("utf-8"))
    path.write_bytes(raw)
    with pytest.raises(LockfileError) as caught:
        read_lockfile(path, "demo")
    with pytest.raises(UnicodeDecodeError) as decoding:
        raw.decode("utf-8")
    assert str(caught.value) == (
        f"cannot read the lockfile {path}: {decoding.value}; delete it and run `tuneops plan`: "
        "tuneops finds its jobs again by their labels and adopts them"
    )


def test_a_utf8_byte_order_mark_is_read_past(tmp_path: Path) -> None:
    path = tmp_path / "tuneops.lock"
    original = lockfile(bot=entry(BOT_SPEC))
    write_lockfile(path, original)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_lockfile(path, "demo") == original
