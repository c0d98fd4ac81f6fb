"""Cost estimates: values a plan carries for the jobs it would create, and the token
counts they are made from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class TokenCount:
    """Tokens in one pass over a spec's training data, and how they were counted."""

    tokens: int
    method: str


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """What a new job is expected to cost: training tokens × a price (an estimate).

    `method` says where the tokens per epoch come from: `countTokens` (the
    service counted them), `characters` (4 characters per token, offline),
    `object size` (a gs:// object's bytes / 4, counting the JSON syntax too).
    `price_per_million` is None when the pricing table has no price for the
    base model.
    """

    tokens_per_epoch: int
    epochs: int
    price_per_million: float | None
    currency: str
    method: str
    assumed_epochs: bool = False

    @property
    def training_tokens(self) -> int:
        """Tokens billed: the dataset's tokens once per epoch."""
        return self.tokens_per_epoch * self.epochs

    @property
    def amount(self) -> float | None:
        """The estimated cost, or None without a price."""
        if self.price_per_million is None:
            return None
        return round(self.training_tokens * self.price_per_million / 1_000_000, 6)

    def to_data(self) -> dict[str, Any]:
        """JSON form."""
        data: dict[str, Any] = {
            "estimate": True,
            "amount": self.amount,
            "currency": self.currency,
            "trainingTokens": self.training_tokens,
            "tokensPerEpoch": self.tokens_per_epoch,
            "epochs": self.epochs,
            "pricePerMillionTokens": self.price_per_million,
            "method": self.method,
        }
        if self.assumed_epochs:
            data["assumedEpochs"] = True
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CostEstimate:
        """The estimate of its JSON form."""
        return cls(
            tokens_per_epoch=data["tokensPerEpoch"],
            epochs=data["epochs"],
            price_per_million=data["pricePerMillionTokens"],
            currency=data["currency"],
            method=data["method"],
            assumed_epochs=data.get("assumedEpochs", False),
        )


@dataclass(frozen=True, slots=True)
class CostTotal:
    """The estimated cost of a plan; `unpriced` actions have no price and are not in it."""

    amount: float
    currency: str
    unpriced: int = 0

    def to_data(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "estimate": True,
            "amount": self.amount,
            "currency": self.currency,
            "unpriced": self.unpriced,
        }
