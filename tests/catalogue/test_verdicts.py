"""The catalogue as pure values: lookups, a model's status on a day, tuneops.yaml's changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tuneops.catalogue import Method, ModelStatus, shipped_catalogue, with_changes
from tuneops.catalogue.verdicts import VerdictCode, hyper_parameter_problems, tuning_verdict

CATALOGUE = shipped_catalogue()
READ_ON = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("spelling", "model"),
    [
        ("gemini-3.5-flash", "gemini-3.5-flash"),
        ("gemini-3.5-flash-001", "gemini-3.5-flash"),
        ("publishers/google/models/gemini-3.5-flash-lite", "gemini-3.5-flash-lite"),
        ("models/gemini-1.5-flash-001-tuning", "gemini-1.5-flash-001-tuning"),
        ("gemini-3.5-flash-lite-preview", None),  # not a version suffix: unknown
        ("gemini-9-ultra", None),
    ],
)
def test_a_model_is_found_in_every_spelling_the_services_accept(
    spelling: str, model: str | None
) -> None:
    found = CATALOGUE.find(spelling)
    assert (found.id if found else None) == model


def test_status_turns_deprecated_inside_the_window_and_retired_after_the_last_day() -> None:
    offering = CATALOGUE.offering("gemini-3.5-flash", "vertex")
    assert offering is not None and offering.lifecycle is not None
    last = offering.lifecycle.last_tuning_day
    assert last == date(2027, 5, 18)  # the day before the shutdown
    window = timedelta(days=60)
    assert offering.tuning_status(last - timedelta(days=61), window) is ModelStatus.AVAILABLE
    assert offering.tuning_status(last - timedelta(days=60), window) is ModelStatus.DEPRECATED
    assert offering.tuning_status(last, window) is ModelStatus.DEPRECATED
    assert offering.tuning_status(last + timedelta(days=1), window) is ModelStatus.RETIRED


@pytest.mark.parametrize(
    ("model", "backend", "code", "successor"),
    [
        ("gemini-3.5-flash", "vertex", VerdictCode.AVAILABLE, None),
        ("gemini-2.5-pro", "vertex", VerdictCode.RETIRED, "gemini-3.5-flash"),
        ("gemini-2.0-flash-lite", "vertex", VerdictCode.RETIRED, "gemini-3.1-flash-lite"),
        ("gemini-9-ultra", "vertex", VerdictCode.UNKNOWN, None),
        # Known, but not a model the Gemini API ever tuned.
        ("gemini-3.5-flash", "gemini", VerdictCode.NOT_TUNABLE, None),
        ("models/gemini-1.5-flash-001-tuning", "gemini", VerdictCode.RETIRED, "gemini-3.5-flash"),
    ],
)
def test_verdicts_on_the_day_the_catalogue_was_read(
    model: str, backend: str, code: VerdictCode, successor: str | None
) -> None:
    verdict = tuning_verdict(CATALOGUE, model, backend, READ_ON)
    assert (verdict.code, verdict.successor) == (code, successor)
    assert verdict.blocks is (code in (VerdictCode.RETIRED, VerdictCode.NOT_TUNABLE))


def test_a_project_adds_a_model_and_changes_facts_field_by_field() -> None:
    changed = with_changes(
        CATALOGUE,
        {
            "warningDays": 90,
            "models": [
                {"id": "gemini-4-flash", "backends": {"vertex": {"tuning": {}}}},
                {
                    "id": "gemini-3.5-flash-001",  # an alias of a known model
                    "backends": {
                        "vertex": {
                            "price": {"trainingPerMillionTokens": 7.0},
                            "tuning": {"epochCount": {"min": 1, "max": 20}},
                        }
                    },
                },
            ],
        },
    )
    assert changed.warning_days == 90
    new = changed.offering("gemini-4-flash", "vertex")
    assert new is not None and new.tuning is not None
    assert new.tuning.methods == frozenset({Method.SUPERVISED})
    assert new.tuning.source.url == "tuneops.yaml"
    known = changed.offering("gemini-3.5-flash", "vertex")
    assert known is not None and known.price is not None and known.tuning is not None
    assert (known.price.training_per_million_tokens, known.price.currency) == (7.0, "USD")
    # The other facts of the group stay as shipped.
    assert known.tuning.adapter_sizes == (1, 2, 4, 8, 16)
    assert [p.field for p in hyper_parameter_problems(known, {"epochCount": 21})] == ["epochCount"]
    assert hyper_parameter_problems(known, {"epochCount": 20}) == []
    # The shipped catalogue itself is untouched.
    assert CATALOGUE.find("gemini-4-flash") is None


def test_adapter_sizes_the_model_does_not_take_are_problems() -> None:
    pro = CATALOGUE.offering("gemini-2.5-pro", "vertex")
    assert pro is not None
    [problem] = hyper_parameter_problems(pro, {"adapterSize": "ADAPTER_SIZE_SIXTEEN"})
    assert (problem.field, problem.allowed) == ("adapterSize", "1, 2, 4, 8")
    assert hyper_parameter_problems(pro, {"adapterSize": "ADAPTER_SIZE_EIGHT"}) == []
