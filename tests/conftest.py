"""Shared test helpers: run the command line in-process and capture what it prints."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from realpolitik.cli import main

# Property tests: no per-example deadline (2 shared cores), and on CI the same examples every
# run, so that a red CI always means a reproducible failure.
settings.register_profile("realpolitik", deadline=None, derandomize=bool(os.environ.get("CI")))
settings.load_profile("realpolitik")

ROOT = Path(__file__).resolve().parents[1]
# Bueno de Mesquita's (1994) emission case, a copy of ../shared/data/bdm/emission_1994.csv kept
# with the tests so they run wherever the repository is cloned (test_eum checks the copy).
EMISSION_CSV = (ROOT / "tests" / "data" / "emission_1994.csv").read_text()
SHARED = Path(os.environ.get("REALPOLITIK_SHARED", ROOT.parent / "shared"))


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys):
    """``cli("forecast", "--json")`` runs realpolitik in-process and returns a CliResult."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}")
    return SHARED
