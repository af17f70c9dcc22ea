"""Analysis of forecasts: accuracy metrics and backtests (summaries and sensitivity later).

Kept light on purpose: import the module you need, e.g.
``from realpolitik.analysis.backtest import backtest_deu``.
"""

__all__: list[str] = []
