"""How plans show costs and dataset changes."""

from __future__ import annotations

from tuneops.core.cost.estimate import CostEstimate


def test_costs_too_small_for_cents_are_shown_as_such() -> None:
    from tuneops.render.plan import cost_line

    tiny = CostEstimate(640, 5, 1.5, "USD", "countTokens")
    assert cost_line(tiny) == (
        "~<0.01 USD: 3,200 training tokens (640 × 5 epochs; countTokens) at 1.50 USD per 1M"
    )
    free = CostEstimate(27, 5, 0.0, "USD", "characters", assumed_epochs=True)
    assert cost_line(free) == (
        "~0.00 USD: 135 training tokens (27 × 5 epochs, assumed; characters) at 0.00 USD per 1M"
    )


def test_a_changed_object_is_summed_up_in_one_line_and_a_new_pin_is_not() -> None:
    from tuneops.core.plan import Change
    from tuneops.render.plan import dataset_changes

    changed = (
        Change("datasetPins.trainingDataset.exampleCount", 1204, 1380),
        Change("datasetPins.trainingDataset.generation", "17", "42"),
        Change("hyperParameters.epochCount", 3, 4),
    )
    assert dataset_changes(changed) == [
        "dataset changed: trainingDataset generation 17 → 42, 1,204 → 1,380 examples"
    ]
    newly_pinned = (Change("datasetPins.trainingDataset.generation", None, "42"),)
    unpinned = (Change("datasetPins.trainingDataset.generation", "42", None),)
    assert dataset_changes(newly_pinned) == dataset_changes(unpinned) == []
