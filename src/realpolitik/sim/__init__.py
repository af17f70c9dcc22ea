"""Time: the timeline's SimPy clock and scheduled events, and airlift logistics.

:mod:`realpolitik.sim.timeline` (the clock, rounds and dates), :mod:`realpolitik.sim.events`
(paths and changes), :mod:`realpolitik.contracts.blocks` and :mod:`realpolitik.sim.checks` (the
scenario blocks ``time``, ``events``, ``rubinstein`` and ``attrition``).
"""

__all__: list[str] = []
