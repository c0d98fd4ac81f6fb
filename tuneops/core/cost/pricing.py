"""Pure: prices per base model, and putting cost estimates on a plan.

Tuning is billed per training token: the tokens of the training dataset times
the number of epochs, times a price per million tokens (from the model
catalogue, which records the source and the date of each price). The estimates themselves (how many
tokens) are gathered in runtime/ and passed in as data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tuneops.catalogue import Catalogue, shipped_catalogue
from tuneops.core.cost.estimate import CostEstimate, TokenCount
from tuneops.core.plan import Plan
from tuneops.datasets.example_format import CHARACTERS_PER_TOKEN
from tuneops.notes import Note, NoteCode, Severity
from tuneops.specs.models import GeminiSpec, JobSpec, VertexSpec

DEFAULT_CURRENCY = "USD"
# When a spec leaves epochCount to the service, the estimate assumes this many
# epochs (tuneops' own conservative choice, marked as assumed in the plan).
ASSUMED_EPOCHS = 10


def price_for(
    base_model: str,
    overrides: Mapping[str, float] | None = None,
    catalogue: Catalogue | None = None,
    backend: str = "vertex",
) -> float | None:
    """The price per million training tokens of `base_model`, or None if unknown.

    `overrides` (the `pricing.trainingPerMillionTokens` table of tuneops.yaml,
    keyed by model id or prefix, the longest prefix deciding) win over the
    model catalogue's price on `backend`.
    """
    model = base_model.removeprefix("publishers/google/models/")
    matches = [prefix for prefix in overrides or {} if model.startswith(prefix)]
    if overrides and matches:
        return overrides[max(matches, key=len)]
    offering = (catalogue or shipped_catalogue()).offering(base_model, backend)
    price = offering.price if offering else None
    return price.training_per_million_tokens if price else None


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
    catalogue: Catalogue | None = None,
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
        price_per_million=price_for(base, overrides, catalogue, spec.backend.value),
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
    catalogue: Catalogue | None = None,
) -> Plan:
    """`plan` with an estimate on every action that creates a job (see `with_costs`)."""
    estimates: dict[str, CostEstimate] = {}
    for action in plan.actions:
        spec = specs.get(action.name)
        if not action.kind.creates_job or spec is None:
            continue
        found = estimate(spec, counted.get(action.name), overrides, currency, catalogue)
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
        reason = Note.of(
            NoteCode.BLOCKED_COST_UNPRICED,
            Severity.ERROR,
            unpriced=total.unpriced,
            limit=limit,
            currency=total.currency,
        )
    elif total.amount > limit:
        reason = Note.of(
            NoteCode.BLOCKED_MAX_COST,
            Severity.ERROR,
            amount=total.amount,
            limit=limit,
            currency=total.currency,
        )
    else:
        return priced
    blocked = tuple(
        replace(a, blocked=a.blocked or reason) if a.kind.creates_job and a.cost else a
        for a in priced.actions
    )
    return replace(priced, actions=blocked)
