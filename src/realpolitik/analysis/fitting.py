"""Fit on a DEU-format file: ``choice``'s coefficients and the calibration table.

The functions behind ``realpolitik fit choice`` and ``realpolitik calibrate``. Both read the
scored issues of a DEU file as the backtest does (:func:`deu_issues`: one negotiation per
issue among its positioned actors, docs/specs/eum.md §9) and record a fingerprint of them
(:func:`realpolitik.analysis.crossval.fingerprint`), so a backtest on the same data knows
that a plain score would be in-sample and cross-validates instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from realpolitik.analysis.calibration import CalibrationTable
from realpolitik.analysis.crossval import fingerprint, fit_table
from realpolitik.models import IssueInputs
from realpolitik.models import choice as _choice
from realpolitik.scenario.importers.deu import (
    Capabilities,
    DeuData,
    EraCapabilities,
    check_actors,
    issue_inputs,
)

__all__ = ["DeuIssues", "deu_issues", "fit_choice", "calibrate"]


class DeuIssues:
    """The scored issues of a DEU file: one-issue ``inputs``, ``outcomes``, ``proposals``."""

    def __init__(
        self,
        inputs: list[IssueInputs],
        outcomes: np.ndarray,
        proposals: tuple[str, ...],
        source: dict[str, Any],
    ):
        self.inputs = inputs
        self.outcomes = outcomes
        self.proposals = proposals
        self.source = source
        self.data_id = fingerprint(inputs, outcomes, proposals)


def deu_issues(
    data: DeuData,
    caps: Capabilities | EraCapabilities,
    missing_salience: Literal["zero", "drop"] = "zero",
) -> DeuIssues:
    """The scored issues of ``data`` as model inputs (the backtest's conventions)."""
    check_actors(data, caps)
    if missing_salience == "drop":
        data = data.without_missing_saliences()
    scored = data.scored()
    source = {
        "data": data.file,
        "capabilities": caps.to_json(),
        "missing_salience": missing_salience,
    }
    return DeuIssues(
        [issue_inputs(i, caps) for i in scored],
        np.array([i.outcome for i in scored], dtype=float),
        tuple(i.proposal for i in scored),
        source,
    )


def fit_choice(
    issues: DeuIssues,
    commission: tuple[str, ...] = ("com",),
    parliament: tuple[str, ...] = ("ep",),
) -> _choice.Coefficients:
    """``choice``'s maximum-likelihood coefficients on every scored issue."""
    alts = [_choice.alternatives(i, commission, parliament)[0] for i in issues.inputs]
    source = dict(issues.source)
    source.update(
        data_id=issues.data_id,
        proposals=sorted(set(issues.proposals)),
        roles={"commission": list(commission), "parliament": list(parliament)},
    )
    return _choice.fit(alts, issues.outcomes, source=source)


def calibrate(
    issues: DeuIssues,
    requests: Sequence[Any],
    *,
    seed: int | None = 0,
) -> CalibrationTable:
    """A calibration table for each requested issue model (``ModelRequest``s) on ``issues``."""
    from realpolitik.analysis.backtest import run_issue_models

    forecasts, _ = run_issue_models(issues.inputs, list(requests), seed=seed)
    return fit_table(
        [(r.name, r.options) for r in requests],
        issues.inputs,
        issues.outcomes,
        issues.proposals,
        forecasts,
        seed=seed,
        source=issues.source,
    )
