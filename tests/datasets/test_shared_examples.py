"""Keeping a training file's parsed examples for countTokens, within its bounds."""

from __future__ import annotations

from tuneops.datasets.shared_examples import (
    MAX_COUNTED_EXAMPLES,
    LineBudget,
    TurnKeeper,
    counted_turns,
)

USER = {"role": "user", "parts": [{"text": "hi"}]}
MODEL = {"role": "model", "parts": [{"text": "hello"}]}


def test_the_system_instruction_is_counted_first_as_a_user_turn() -> None:
    example = {"systemInstruction": {"parts": [{"text": "be brief"}]}, "contents": [USER, MODEL]}
    assert counted_turns(example) == [
        {"role": "user", "parts": [{"text": "be brief"}]},
        USER,
        MODEL,
    ]
    assert counted_turns({"contents": "not a list"}) is None


def test_a_file_within_the_budget_keeps_every_example_and_spends_its_bytes() -> None:
    budget = LineBudget(100)
    keeper = TurnKeeper(budget)
    keeper({"contents": [USER]}, 40)
    keeper({"contents": [MODEL]}, 40)
    assert keeper.turns() == ([USER], [MODEL])
    assert budget.left == 20


def test_a_file_over_the_budget_keeps_nothing_and_gives_its_bytes_back() -> None:
    budget = LineBudget(100)
    first, second = TurnKeeper(budget), TurnKeeper(budget)
    first({"contents": [USER]}, 60)
    second({"contents": [USER]}, 30)
    second({"contents": [MODEL]}, 30)  # 60 + 30 + 30 > 100: the second file stops keeping
    second({"contents": [MODEL]}, 1)
    assert second.turns() is None
    assert first.turns() == ([USER],)
    assert budget.left == 40


def test_a_file_too_large_to_count_keeps_nothing() -> None:
    keeper = TurnKeeper(LineBudget(10 * MAX_COUNTED_EXAMPLES))
    for _ in range(MAX_COUNTED_EXAMPLES + 1):
        keeper({"contents": [USER]}, 1)
    assert keeper.turns() is None
