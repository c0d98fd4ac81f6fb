"""Identity marks: Vertex labels, Gemini ids and markers, and their strict parsing."""

from __future__ import annotations

import re

import pytest

from tests.backends.support import gemini_job, vertex_job
from tuneops.backends.shared import identity as ident
from tuneops.backends.transport.errors import IdentityError

HASH = "0123456789abcdef"


def test_vertex_labels_round_trip() -> None:
    who = ident.Identity("prod", "support-bot", HASH, protect=True, nonce="fedcba9876543210")
    labels = ident.vertex_labels(who)
    assert labels == {
        "tuneops-stack": "prod",
        "tuneops-name": "support-bot",
        "tuneops-hash": HASH,
        "tuneops-protect": "true",
        "tuneops-nonce": "fedcba9876543210",
    }
    assert ident.from_vertex_labels({**labels, "team": "support"}) == who


def test_unprotected_jobs_carry_no_protect_label() -> None:
    labels = ident.vertex_labels(ident.Identity("prod", "a", HASH))
    assert labels == {"tuneops-stack": "prod", "tuneops-name": "a", "tuneops-hash": HASH}


@pytest.mark.parametrize(
    "labels",
    [
        {},
        {"tuneops-stack": "prod", "tuneops-name": "a"},
        {"tuneops-stack": "prod", "tuneops-name": "a", "tuneops-hash": HASH[:8]},
        {"tuneops-stack": "prod", "tuneops-name": "A", "tuneops-hash": HASH},
        {"tuneops-stack": "Prod", "tuneops-name": "a", "tuneops-hash": HASH},
        {
            "tuneops-stack": "prod",
            "tuneops-name": "a",
            "tuneops-hash": HASH,
            "tuneops-protect": "yes",
        },
        {"tuneops-stack": "prod", "tuneops-name": "a", "tuneops-hash": HASH, "tuneops-nonce": "x"},
    ],
)
def test_incomplete_or_malformed_labels_are_not_ours(labels: dict[str, str]) -> None:
    assert ident.from_vertex_labels(labels) is None


def test_identity_for_a_spec_uses_the_16_digit_hash_prefix_and_protect() -> None:
    job = vertex_job(protect=True)
    who = ident.identity_for(job, "prod", "fedcba9876543210")
    assert who == ident.Identity(
        "prod", "support-bot", job.spec_hash[:16], True, "fedcba9876543210"
    )


def test_nonces_are_fresh_label_safe_hex() -> None:
    nonces = {ident.new_nonce() for _ in range(1000)}
    assert len(nonces) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{16}", n) for n in nonces)


def test_filters() -> None:
    assert ident.stack_filter("prod") == 'labels.tuneops-stack="prod"'
    assert ident.nonce_filter("prod", "fedcba9876543210") == (
        'labels.tuneops-stack="prod" AND labels.tuneops-nonce="fedcba9876543210"'
    )
    with pytest.raises(IdentityError):
        ident.nonce_filter("prod", '" OR labels.x:*')


@pytest.mark.parametrize("stack", ["", "Prod", "9prod", "prod-", 'a" OR b', "x" * 41])
def test_stacks_that_cannot_be_labels_are_refused(stack: str) -> None:
    with pytest.raises(IdentityError, match="cannot be used as a remote label"):
        ident.check_stack(stack)


def test_gemini_id_and_marker_round_trip() -> None:
    who = ident.Identity("prod", "roman-numerals", HASH, protect=True)
    model_id = ident.gemini_model_id(who)
    assert model_id == "roman-numerals-01234567"
    description = ident.with_marker("Counts in Roman numerals.", who)
    assert description == (
        "Counts in Roman numerals. [tuneops stack=prod name=roman-numerals "
        f"hash={HASH} protect=true]"
    )
    assert ident.from_gemini(model_id, description) == who
    assert ident.with_marker(None, who) == ident.gemini_marker(who)
    assert ident.from_gemini(model_id, ident.gemini_marker(who)) == who


def test_longest_names_give_valid_model_ids() -> None:
    who = ident.Identity("prod", "a" * 31, HASH)
    model_id = ident.gemini_model_id(who)
    assert len(model_id) == 40
    assert re.fullmatch(r"[a-z]([a-z0-9-]{0,38}[a-z0-9])?", model_id)


@pytest.mark.parametrize(
    ("model_id", "description"),
    [
        ("a-01234567", None),
        ("a-01234567", "no marker here"),
        ("a-01234567", f"[tuneops stack=prod name=a hash={HASH}] and then more"),
        ("a-01234567", f"x[tuneops stack=prod name=a hash={HASH}]"),
        ("a-01234567", f"[tuneops stack=prod name=a hash={HASH[:15]}]"),
        ("a-01234567", f"[tuneops stack=prod name=a hash={HASH.upper()}]"),
        ("a-01234567", f"[tuneops stack=prod name=a hash={HASH} protect=false]"),
        ("a-01234567", f"[tuneops name=a stack=prod hash={HASH}]"),
        ("a-01234567", f"[tuneops  stack=prod name=a hash={HASH}]"),
        # A marker copied onto a model with another id is not ours.
        ("b-01234567", f"[tuneops stack=prod name=a hash={HASH}]"),
        ("a-76543210", f"[tuneops stack=prod name=a hash={HASH}]"),
    ],
)
def test_marker_parsing_is_strict(model_id: str, description: str | None) -> None:
    assert ident.from_gemini(model_id, description) is None


def test_marker_is_found_after_a_multi_line_description() -> None:
    text = f"line one\nline two\n[tuneops stack=prod name=a hash={HASH}]"
    assert ident.from_gemini("a-01234567", text) == ident.Identity("prod", "a", HASH)


def test_gemini_identity_for_a_spec() -> None:
    job = gemini_job()
    who = ident.identity_for(job, "prod")
    assert ident.gemini_model_id(who) == f"roman-numerals-{job.spec_hash[:8]}"
    assert who.nonce is None
