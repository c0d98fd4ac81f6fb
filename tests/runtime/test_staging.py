"""Names of staged datasets in the staging bucket."""

from __future__ import annotations


def test_staged_names_are_content_addressed_under_the_configured_prefix() -> None:
    from pathlib import Path

    from tuneops.runtime.staging.upload import staged_uri
    from tuneops.specs.kinds import LocalDataset

    data = LocalDataset("training", Path("/p/d.jsonl"), "d.jsonl", "ab" * 32, 10, 1, 3)
    assert str(staged_uri("gs://b", "stack", data)) == f"gs://b/stack/{'ab' * 32}.jsonl"
    assert str(staged_uri("gs://b/x/y/", "stack", data)) == f"gs://b/x/y/stack/{'ab' * 32}.jsonl"
