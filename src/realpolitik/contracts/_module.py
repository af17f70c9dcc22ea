"""Packages that are also functions: ``realpolitik.forecast(...)`` and ``realpolitik.models()``.

Python binds an imported submodule as an attribute of its package, so ``realpolitik.forecast``
is the module ``realpolitik/forecast.py`` as soon as anything imports it, and a function of the
same name exported by ``realpolitik/__init__.py`` would be shadowed. Giving such a module a
``__call__`` (a module's class may be a subclass of ``ModuleType``) keeps both working:
``realpolitik.forecast(...)`` calls the function, ``from realpolitik.forecast import Forecast``
imports from the module.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

__all__ = ["make_callable"]


def make_callable(module_name: str, function: Callable[..., Any]) -> None:
    """Make the module ``module_name`` callable as ``function``."""

    class _CallableModule(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return function(*args, **kwargs)

    _CallableModule.__call__.__doc__ = function.__doc__
    _CallableModule.__call__.__wrapped__ = function  # type: ignore[attr-defined]
    sys.modules[module_name].__class__ = _CallableModule
