"""Pure: prices per base model, and putting cost estimates on a plan.

Tuning is billed per training token: the tokens of the training dataset times
the number of epochs, times a price per million tokens (docs/datasets.md has
the sources and the date of the defaults). The estimates themselves (how many
tokens) are gathered in runtime/ and passed in as data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tuneops.core.cost import CostEstimate
from tuneops.core.plan import Plan
from tuneops.datasets.example_format import CHARACTERS_PER_TOKEN
from tuneops.specs.models import GeminiSpec, JobSpec, VertexSpec

# USD per million training tokens, from Google's price lists as of PRICE_LIST_DATE
# (cloud.google.com/vertex-ai/generative-ai/pricing, section "Tuning"; Gemini API
# tuning is free of charge per ai.google.dev/pricing). Longest prefix wins.
PRICE_LIST_DATE = "2026-12-02"
DEFAULT_CURRENCY = "USD"
DEFAULT_TRAINING_PRICES: Mapping[str, float] = {
    "gemini-2.5-pro": 25.0,
    "gemini-2.5-flash-lite": 1.5,
    "gemini-2.5-flash": 5.0,
    "gemini-2.0-flash-lite": 1.0,
    "gemini-2.0-flash": 3.0,
    "models/": 0.0,
}
# When a spec leaves epochCount to the service, the estimate assumes this many
# epochs (tuneops' own conservative choice, marked as assumed in the plan).
ASSUMED_EPOCHS = 10


def price_for(base_model: str, overrides: Mapping[str, float] | None = None) -> float | None:
    """The price per million training tokens of `base_model`, or None if unknown.

    `overrides` (the `pricing.trainingPerMillionTokens` table of tuneops.yaml)
    win over the defaults; the longest matching model prefix decides.
    """
    table = {**DEFAULT_TRAINING_PRICES, **(overrides or {})}
    model = base_model.removeprefix("publishers/google/models/")
    matches = [prefix for prefix in table if model == prefix or model.startswith(prefix)]
    if not matches:
        return None
    return table[max(matches, key=len)]


@dataclass(frozen=True, slots=True)
class TokenCount:
    """Tokens in one pass over a spec's training data, and how they were counted."""

    tokens: int
    method: str


def offline_tokens(spec: JobSpec) -> TokenCount | None:
    """The training tokens per epoch as far as the spec itself tells, or None.

    Local datasets, Gemini examples and gs:// objects whose content was read:
    their characters / 4. A pinned gs:// object not read: its size / 4 (the
    JSON syntax counts too, so this runs high). Anything else (a dataset
    resource name, an unpinned object): unknown.
    """
    inner = spec.spec
    if isinstance(inner, GeminiSpec):
        characters = sum(len(e.text_input) + len(e.output) for e in spec.examples)
        return TokenCount(-(-characters // CHARACTERS_PER_TOKEN), "characters")
    training = [d for d in spec.local_datasets if d.role == "training"]
    if training:
        return TokenCount(training[0].estimated_tokens, "characters")
    pins: Any = spec.canonical.get("datasetPins", {})
    pin = pins.get("trainingDataset") if isinstance(pins, Mapping) else None
    if isinstance(pin, Mapping) and isinstance(pin.get("estimatedTokens"), int):
        return TokenCount(pin["estimatedTokens"], "characters")
    if isinstance(pin, Mapping) and isinstance(pin.get("size"), int):
        return TokenCount(-(-pin["size"] // CHARACTERS_PER_TOKEN), "object size")
    return None


def estimate(
    spec: JobSpec,
    counted: TokenCount | None,
    overrides: Mapping[str, float] | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> CostEstimate | None:
    """The cost estimate of one new job of `spec`; None when its tokens are unknown."""
    tokens = counted or offline_tokens(spec)
    if tokens is None:
        return None
    inner = spec.spec
    hyper = inner.hyper_parameters
    epochs = hyper.epoch_count if hyper is not None else None
    # Continuous tuning (preTunedModel) names no base model: no price, unless set.
    base = (inner.base_model or "") if isinstance(inner, VertexSpec | GeminiSpec) else ""
    return CostEstimate(
        tokens_per_epoch=tokens.tokens,
        epochs=epochs or ASSUMED_EPOCHS,
        price_per_million=price_for(base, overrides),
        currency=currency,
        method=tokens.method,
        assumed_epochs=epochs is None,
    )


def plan_costs(
    plan: Plan,
    specs: Mapping[str, JobSpec],
    counted: Mapping[str, TokenCount],
    overrides: Mapping[str, float] | None = None,
    currency: str = DEFAULT_CURRENCY,
) -> Plan:
    """`plan` with an estimate on every action that creates a job (see `with_costs`)."""
    estimates: dict[str, CostEstimate] = {}
    for action in plan.actions:
        spec = specs.get(action.name)
        if not action.kind.creates_job or spec is None:
            continue
        found = estimate(spec, counted.get(action.name), overrides, currency)
        if found is not None:
            estimates[action.name] = found
    return with_costs(plan, estimates)


def with_costs(plan: Plan, estimates: Mapping[str, CostEstimate]) -> Plan:
    """`plan` with each job-creating action's estimate (by spec name), and the
    `guards.maxCost` guard applied: when the total is over the limit, or an
    action has no price while a limit is set, every creating action is blocked."""
    actions = tuple(
        replace(action, cost=estimates.get(action.name)) if action.kind.creates_job else action
        for action in plan.actions
    )
    priced = replace(plan, actions=actions)
    limit = plan.options.max_cost
    total = priced.total_cost
    if limit is None or total is None:
        return priced
    if total.unpriced:
        reason = (
            f"{total.unpriced} new jobs have no price in the pricing table, so the cost cannot "
            f"be held to guards.maxCost ({limit:,.2f} {total.currency}); add their base models "
            "to pricing.trainingPerMillionTokens"
        )
    elif total.amount > limit:
        reason = (
            f"the estimated cost {total.amount:,.2f} {total.currency} exceeds "
            f"guards.maxCost ({limit:,.2f} {total.currency})"
        )
    else:
        return priced
    blocked = tuple(
        replace(a, blocked=a.blocked or reason) if a.kind.creates_job and a.cost else a
        for a in priced.actions
    )
    return replace(priced, actions=blocked)
