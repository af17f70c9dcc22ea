"""realpolitik: simulate and forecast negotiations and crises between political actors."""

__version__ = "0.1.0"

__all__ = ["__version__"]
