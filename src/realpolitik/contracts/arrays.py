"""The arrays an issue model reads and writes, and the context of one run.

Shared by the models (:mod:`realpolitik.models`), the scenario (``Scenario.inputs()``), the
timeline (:mod:`realpolitik.sim.timeline`), the ensemble and the importers, so it depends on
none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["IssueInputs", "RoundParams", "RunContext", "Trace", "IssueResult"]


@dataclass(frozen=True, kw_only=True)
class IssueInputs:
    """What an issue model sees: arrays on the common 0-100 scale.

    ``x[n_actors, n_issues]`` positions, ``s[n_actors, n_issues]`` saliences in [0, 1],
    ``c[n_actors]`` capabilities > 0, ``mask[n_actors, n_issues]`` True where the actor takes
    a position (entries of x and s outside the mask are meaningless), and
    ``reference[n_issues]`` the status quo on 0-100 (NaN where the issue has none).
    """

    x: np.ndarray
    s: np.ndarray
    c: np.ndarray
    mask: np.ndarray
    reference: np.ndarray
    actors: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()

    @property
    def n_actors(self) -> int:
        return int(self.x.shape[0])

    @property
    def n_issues(self) -> int:
        return int(self.x.shape[1])


@dataclass(frozen=True, kw_only=True)
class RoundParams:
    """The parameters a dynamic model uses in one round; the timeline may change them."""

    x: np.ndarray
    s: np.ndarray
    c: np.ndarray


@dataclass(frozen=True, kw_only=True)
class RunContext:
    """Everything about a run that is not the scenario's numbers.

    ``seed`` feeds every stochastic path. ``before_round(t, params) -> params`` is called by
    dynamic models before round ``t`` (t = 1, 2, ...) with the current positions, saliences
    and capabilities; the timeline uses it to apply scheduled events between rounds.
    """

    seed: int | None = None
    before_round: Callable[[int, RoundParams], RoundParams] | None = None


@dataclass(frozen=True, kw_only=True)
class Trace:
    """A dynamic model's path: round 0 is the input.

    ``positions[round, actor, issue]`` and ``forecast_path[round, issue]`` on 0-100.
    """

    positions: np.ndarray
    forecast_path: np.ndarray
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class IssueResult:
    """An issue model's forecast: ``values[n_issues]`` on 0-100, NaN where skipped."""

    values: np.ndarray
    trace: Trace | None = None
    skipped: dict[int, str] = field(default_factory=dict)
