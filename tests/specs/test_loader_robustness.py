"""The loader turns any input into diagnostics, never into an exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import tuneops
from tuneops.diagnostics import Diagnostic
from tuneops.specs.loader import load_specs
from tuneops.specs.models import Defaults
from tuneops.specs.source import MAX_SPEC_BYTES

DEFAULTS = Defaults(project="acme-ml", location="us-central1")
YAMLISH = st.text(
    alphabet=st.sampled_from([*"abc:-[]{}&*!|>'\"#%@`,? \n\t\\0123456789.", "\udc80", "é"]),
    max_size=200,
)
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load(tmp_path: Path, raw: bytes) -> tuple[Diagnostic, ...]:
    spec = tmp_path / "specs" / "fuzz.yaml"
    spec.parent.mkdir(exist_ok=True)
    spec.write_bytes(raw)
    return load_specs([spec.parent], tmp_path, DEFAULTS).diagnostics


@FUZZ
@given(raw=st.binary(max_size=300))
def test_arbitrary_bytes_give_diagnostics_not_exceptions(tmp_path: Path, raw: bytes) -> None:
    for diagnostic in _load(tmp_path, raw):
        assert diagnostic.location.file.endswith("fuzz.yaml")
        assert diagnostic.message


@FUZZ
@given(text=YAMLISH)
def test_arbitrary_yaml_like_text_gives_diagnostics_not_exceptions(
    tmp_path: Path, text: str
) -> None:
    for diagnostic in _load(tmp_path, text.encode("utf-8", "surrogatepass")):
        assert diagnostic.location.file.endswith("fuzz.yaml")
        assert diagnostic.message


def test_deep_nesting_is_an_error_with_a_position(tmp_path: Path) -> None:
    diagnostics = _load(tmp_path, b"a: " + b"[" * 5000 + b"]" * 5000)
    assert len(diagnostics) == 1
    assert "nest" in diagnostics[0].message


def test_unpaired_surrogate_escape_is_an_error(tmp_path: Path) -> None:
    (diagnostic,) = _load(tmp_path, b'a: "\\ud800"\n')
    assert (diagnostic.location.line, diagnostic.location.column) == (1, 4)
    assert diagnostic.message == "string holds an unpaired UTF-16 surrogate escape"


def test_oversized_spec_file_is_refused_without_parsing(tmp_path: Path) -> None:
    (tmp_path / "tuneops.yaml").write_text("stack: big\n", encoding="utf-8")
    spec = tmp_path / "specs" / "big.yaml"
    spec.parent.mkdir()
    spec.write_bytes(b"# " + b"x" * MAX_SPEC_BYTES + b"\n")
    run = tuneops(f"tuneops -C {tmp_path} validate")
    assert run.code == 1
    assert run.out == (
        f"specs/big.yaml: error: $: file is {MAX_SPEC_BYTES + 3} bytes; "
        f"the limit is {MAX_SPEC_BYTES} bytes\n"
    )
