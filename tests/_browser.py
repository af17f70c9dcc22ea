"""What the browser tests share: Debian's chromium, its headless flags, and the skip rule."""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["ARGS", "CHROMIUM", "skip", "launch"]

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


def launch() -> Iterator[object]:
    """Debian's chromium under Playwright, for a fixture to yield (skips by :func:`skip`)."""
    exe = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    if exe is None:
        skip("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=ARGS)
        yield b
        b.close()
