"""What the browser tests share: Debian's chromium, its headless flags, and the skip rule."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

__all__ = ["ARGS", "CHROMIUM", "skip"]

CHROMIUM = Path("/usr/bin/chromium")
#: Headless, and no background connections: this machine's network is closed.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def skip(reason: str) -> None:
    """Skip with a visible notice, or fail where the browser is required (.ci/run sets it)."""
    if os.environ.get("REALPOLITIK_REQUIRE_BROWSER"):
        pytest.fail(f"browser test required but cannot run: {reason}")
    warnings.warn(f"browser test skipped: {reason}", stacklevel=2)
    pytest.skip(reason)
