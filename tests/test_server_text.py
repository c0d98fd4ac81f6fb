"""`tuneops.server_text`: what a server wrote, made safe to print."""

from __future__ import annotations

from tuneops.server_text import MASK, clean, one_line, redact


def test_configured_secrets_and_token_shapes_are_masked() -> None:
    text = "a s3cret b Bearer abc.def c ghs_" + "x" * 30 + " d ya29.Zz-9"
    assert redact(text, ("s3cret",)) == f"a {MASK} b Bearer {MASK} c {MASK} d {MASK}"


def test_a_workflow_command_cannot_start_the_line() -> None:
    assert one_line("\n:: ::set-output name=a::b") == "set-output name=a::b"
    assert one_line("ok\n::error::x") == "ok ::error::x"


def test_a_token_straddling_the_cut_is_masked_before_cutting() -> None:
    text = "x" * 280 + " ghp_" + "a" * 40
    assert clean(text) == "x" * 280 + f" {MASK}"  # 325 characters before masking
    long = clean("y" * 20_000)
    assert long.endswith("… (20000 characters in all)") and len(long) < 400
