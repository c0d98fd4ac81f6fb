"""docs/models.md holds the table `tuneops models --format markdown` prints."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import tuneops
from tuneops.catalogue import shipped_catalogue

DOC = Path(__file__).resolve().parents[2] / "docs" / "models.md"


def test_the_models_page_shows_the_catalogue_as_it_is() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- models:begin -->\n", 1)[1].split("<!-- models:end -->", 1)[0]
    read_on = shipped_catalogue().read_on
    run = tuneops(f"tuneops models --format markdown --as-of {read_on}")
    assert run.code == 0, run.err
    assert table == run.out
    assert f"--as-of {read_on}" in text
