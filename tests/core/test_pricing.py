"""Cost estimates as pure functions: prices, epochs, and the maxCost guard."""

from __future__ import annotations

from tests.core.builders import spec
from tuneops.catalogue import shipped_catalogue, with_changes
from tuneops.core.cost.estimate import CostEstimate, TokenCount
from tuneops.core.cost.pricing import (
    ASSUMED_EPOCHS,
    estimate,
    price_for,
    with_costs,
)
from tuneops.core.plan import Action, ActionKind, Plan, PlanOptions
from tuneops.notes import Note, NoteCode
from tuneops.render.wording import word
from tuneops.specs.kinds import BackendKind


def test_prices_come_from_the_catalogue_with_tuneops_yaml_first() -> None:
    assert price_for("gemini-3.5-flash") == 10.0
    assert price_for("publishers/google/models/gemini-3.1-flash-lite-001") == 3.0
    assert price_for("gemini-3.5-flash", {"gemini-3.5-flash": 4.0}) == 4.0
    assert price_for("gemini-3.5-flash-lite", {"gemini-3.5": 2.0}) == 2.0  # a prefix
    assert price_for("models/gemini-1.5-flash-001-tuning", backend="gemini") == 0.0
    # No price is known for some models: the cost is unknown, never guessed.
    assert price_for("gemini-3.5-flash-lite") is None
    assert price_for("gemini-9-ultra") is None


def test_a_price_given_in_the_catalogue_section_of_tuneops_yaml_counts() -> None:
    negotiated = with_changes(
        shipped_catalogue(),
        {
            "models": [
                {
                    "id": "gemini-9-ultra",
                    "backends": {"vertex": {"price": {"trainingPerMillionTokens": 7.5}}},
                }
            ]
        },
    )
    assert price_for("gemini-9-ultra", catalogue=negotiated) == 7.5
    found = estimate(
        spec("bot", baseModel="gemini-9-ultra", epochs=2),
        TokenCount(1_000_000, "countTokens"),
        catalogue=negotiated,
    )
    assert found is not None and found.amount == 15.0


def test_estimate_multiplies_tokens_by_epochs_and_price() -> None:
    found = estimate(spec("bot", epochs=3), TokenCount(200_000, "countTokens"))
    assert found is not None
    assert found == CostEstimate(200_000, 3, 10.0, "USD", "countTokens")
    assert found.training_tokens == 600_000
    assert found.amount == 6.0


def test_epochs_left_to_the_service_are_assumed_and_marked() -> None:
    found = estimate(spec("bot", hyperParameters=None), TokenCount(1_000, "countTokens"))
    assert found is not None
    assert (found.epochs, found.assumed_epochs) == (ASSUMED_EPOCHS, True)


def _plan(max_cost: float | None, *costs: CostEstimate | None) -> Plan:
    actions = tuple(
        Action(ActionKind.CREATE, f"job-{i}", BackendKind.VERTEX, Note.of(NoteCode.NEW_SPEC))
        for i, _ in enumerate(costs)
    )
    plan = Plan("s", "f", actions, options=PlanOptions(max_cost=max_cost))
    return with_costs(plan, {f"job-{i}": c for i, c in enumerate(costs) if c is not None})


COST = CostEstimate(1_000_000, 2, 5.0, "USD", "countTokens")  # 10.00 USD


def test_max_cost_blocks_every_new_job_when_the_total_is_over() -> None:
    plan = _plan(15.0, COST, COST)
    assert plan.total_cost is not None and plan.total_cost.amount == 20.0
    assert [a.blocked and word(a.blocked) for a in plan.actions] == [
        "the estimated cost 20.00 USD exceeds guards.maxCost (15.00 USD)"
    ] * 2
    assert plan.exit_code(detailed_exitcode=False) == 3


def test_under_the_limit_or_without_one_nothing_is_blocked() -> None:
    assert not _plan(20.0, COST, COST).blocked
    assert not _plan(None, COST, COST).blocked


def test_a_job_without_a_price_cannot_be_held_to_a_limit() -> None:
    unpriced = CostEstimate(1_000, 1, None, "USD", "characters")
    plan = _plan(100.0, COST, unpriced)
    assert len(plan.blocked) == 2
    assert plan.blocked[0].blocked is not None
    assert word(plan.blocked[0].blocked).startswith(
        "1 new jobs have no price in the model catalogue"
    )


def test_costs_survive_the_json_round_trip_of_a_saved_plan() -> None:
    plan = _plan(50.0, COST)
    again = Plan.from_data(plan.to_data())
    assert again.actions == plan.actions
    assert again.options.max_cost == 50.0
    assert plan.to_data()["summary"]["estimatedCost"] == {
        "estimate": True,
        "amount": 10.0,
        "currency": "USD",
        "unpriced": 0,
    }
