"""Shared test helpers: run the command line in-process and capture what it prints."""

from __future__ import annotations

import gzip
import json
import os
import re
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
#: The reference data of the tests, each source with its README (origin, licence, citation).
DATA = ROOT / "tests" / "data"


def read_data(relpath: str, encoding: str = "utf-8") -> str:
    """The text of ``tests/data/RELPATH``, read through gzip when the file is stored as ``.gz``."""
    path = DATA / relpath
    if not path.exists() and (gz := path.with_name(path.name + ".gz")).exists():
        return gzip.decompress(gz.read_bytes()).decode(encoding)
    return path.read_text(encoding=encoding)


#: A two-actor scenario with one uncertain input: ensembles, stores and reports drawn quickly.
TINY = """\
name: tiny
actors:
  - {id: a, name: A, capability: 1}
  - {id: b, name: B, capability: {dist: uniform, low: 1, high: 3}}
issues:
  - id: x
    name: X
    unit: points
    scale: {min: 0, max: 100}
    positions: {a: 0, b: 100}
    saliences: {a: 1.0, b: 0.5}
"""

# Bueno de Mesquita's (1994) emission case (tests/data/bdm/README.md).
EMISSION_CSV = read_data("bdm/emission_1994.csv")


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


def line_of(text: str, marker: str) -> int:
    """The 1-based line of the first occurrence of ``marker`` in ``text``."""
    return text[: text.index(marker)].count("\n") + 1


def assert_located(res: CliResult, path: Path, line: int, parts: list[str]) -> str:
    """``res`` failed on bad input as promised: exit status 2 and one line ``PATH:LINE:COL:``
    naming every one of ``parts``, with no traceback. Returns the message."""
    assert res.code == 2, (res.out, res.err)
    msg = res.err.strip()
    assert "Traceback" not in msg and msg.count("\n") == 0, msg
    assert re.match(re.escape(str(path)) + rf":{line}:\d+: ", msg), (line, msg)
    for part in parts:
        assert part in msg, (part, msg)
    return msg
