"""realpolitik: simulate and forecast negotiations and crises between political actors.

The Python API (docs/architecture.md)::

    import realpolitik
    sc = realpolitik.load("moscow-1949")                  # a path or a bundled scenario's id
    f = realpolitik.forecast(sc, models=["compromise"], runs=2000, seed=7)
    f.to_json()                                           # the CLI's JSON; f.ensemble: every run
"""

__version__ = "0.1.0"

from realpolitik.forecast import forecast  # noqa: E402  (after __version__, which it may read)
from realpolitik.scenario import load  # noqa: E402

__all__ = ["__version__", "forecast", "load"]
