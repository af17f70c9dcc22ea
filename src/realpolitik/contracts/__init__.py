"""The shared data types of every layer, depending on no other part of realpolitik.

:mod:`~realpolitik.contracts.arrays` (what issue models read and write), :mod:`~.steps`
(cost and discount paths), :mod:`~.blocks` (the scenario blocks of time and crises),
:mod:`~.uncertainty` (the ``uncertainty`` block) and :mod:`~.airlift` (the ``airlift`` block).
The layers above are listed in docs/architecture.md and enforced by ``lint-imports``.
"""

from realpolitik.contracts.arrays import IssueInputs, IssueResult, RoundParams, RunContext, Trace
from realpolitik.contracts.steps import AttritionProblem, Beliefs, Steps

__all__ = [
    "AttritionProblem",
    "Beliefs",
    "IssueInputs",
    "IssueResult",
    "RoundParams",
    "RunContext",
    "Steps",
    "Trace",
]
