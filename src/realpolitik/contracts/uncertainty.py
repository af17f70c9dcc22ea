"""The scenario's ``uncertainty`` block: a spread on every position, salience or capability.

::

    uncertainty:
      positions: {sd: 5}                       # every position: normal, sd in each issue's unit
      positions: {sd: {railway: 3, credit: 50}}  # or one sd per issue (others stay fixed)
      saliences: {sd: 0.1}                     # every salience, on [0, 1]
      capabilities: {cv: 0.2}                  # sd = 20 % of each capability (or sd: 5)

Each perturbed value becomes a normal distribution around the value the file gives, clipped
to the field's valid range. A field written as a distribution of its own keeps it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, model_validator

__all__ = ["Spread", "CapabilitySpread", "Uncertainty"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Spread(_Strict):
    """``sd``: one standard deviation for every issue (in each issue's unit), or one per issue."""

    sd: NonNegativeFloat | dict[str, NonNegativeFloat]

    def for_issue(self, issue_id: str) -> float:
        if isinstance(self.sd, dict):
            return float(self.sd.get(issue_id, 0.0))
        return float(self.sd)


class CapabilitySpread(_Strict):
    """``sd`` in capability units, or ``cv``: the sd as a fraction of each capability."""

    sd: NonNegativeFloat | None = None
    cv: NonNegativeFloat | None = None

    @model_validator(mode="after")
    def _one(self) -> CapabilitySpread:
        if (self.sd is None) == (self.cv is None):
            raise ValueError("give exactly one of sd or cv")
        return self

    def for_value(self, value: float) -> float:
        return float(self.sd) if self.sd is not None else float(self.cv) * abs(value)


class Uncertainty(_Strict):
    """Spreads applied to every position, salience and capability the scenario states."""

    positions: Spread | None = None
    saliences: Spread | None = None
    capabilities: CapabilitySpread | None = None
    notes: str | None = Field(default=None, description="why these spreads")
