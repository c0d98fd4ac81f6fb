"""The event-stream loader reads plain YAML exactly as the full loader does, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tuneops.specs.plain_yaml import load_plain
from tuneops.specs.yaml_loader import load_documents

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30).filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t)),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(data=st.dictionaries(st.text(max_size=10), DATA, max_size=5), flow=st.booleans())
def test_plain_documents_read_the_same_as_with_the_full_loader(
    data: dict[str, Any], flow: bool
) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, width=120)
    # PyYAML folds some keys it dumps (`'\x85'` reads back as `' '`), so compare
    # only documents that PyYAML itself reads back as the data it dumped.
    assume(yaml.safe_load(text) == data)
    (document,), problems = load_documents(text, "x.yaml")
    assert problems == []
    assert load_plain(text) == document.data


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "a: &x 1\nb: *x\n",  # anchor and alias
        "a: !!python/name:os.system x\n",  # a tag
        "a: .inf\n",  # not a finite number
        "a: 2001-01-01\n",  # a timestamp
        "<<: {a: 1}\n",  # a merge key
        "yes: 1\n",  # a key that is not a string
        "a: [1\n",  # a syntax error
        "- a\n---\n- b\n",  # two documents
        'a: "\\ud800"\n',  # an unpaired surrogate escape
    ],
)
def test_anything_beyond_plain_data_is_left_to_the_full_loader(text: str) -> None:
    assert load_plain(text) is None
