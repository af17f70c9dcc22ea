"""Fuzzing: mutants of the bundled scenarios and of the KTAB, BdM and DEU samples, each loaded
and forecast once in-process; every outcome must be a success or a one-line located
:class:`~realpolitik.errors.InputError`, within a time limit.

The strategies are in tests/fuzzing.py; ``make fuzz`` (benchmarks/fuzz.py) runs the same ones
for many more cases on every core. A case it saves goes into tests/data/fuzz/regressions/
and is run here ever after. A success must give every issue model a finite value and issue
no warning (tests/fuzzing.py, :func:`run_file`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fuzzing import REGRESSIONS_DIR, SEED_NAMES, Case, kind_of, mutate, run_case, run_file
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LIMIT = 30.0  # CPU seconds per case: the slowest seed (berlin-1948's airlift) takes about 1


class DataChooser:
    """The fuzzer's choices drawn by hypothesis, so that a failing case shrinks."""

    def __init__(self, data: Any) -> None:
        self.data = data

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))

    def choice(self, seq: Any) -> Any:
        return seq[self.data.draw(st.integers(0, len(seq) - 1))]


def _report(case: Case, outcome: Any) -> str:
    text = case.text if len(case.text) < 4000 else case.text[:4000] + "\n[...]"
    return f"{outcome.status} on a mutant of {case.seed}:\n{outcome.detail}\n--- mutant ---\n{text}"


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.data())
def test_mutants_load_and_forecast_or_fail_cleanly(tmp_path_factory, data) -> None:
    case = mutate(DataChooser(data))
    outcome = run_case(case, limit=LIMIT, folder=tmp_path_factory.mktemp("mutant"))
    assert outcome.status in ("ok", "error"), _report(case, outcome)


@pytest.mark.parametrize("seed", SEED_NAMES)
def test_every_seed_runs_unmutated(tmp_path: Path, seed: str) -> None:
    """The oracle passes the seeds themselves: a failure below is the mutation's doing."""
    from fuzzing import _KIND, seed_text

    kind, suffix = _KIND[seed]
    outcome = run_case(Case(seed, kind, suffix, seed_text(seed)), limit=LIMIT, folder=tmp_path)
    assert outcome.status == "ok", outcome.detail


REGRESSIONS = sorted(p for p in REGRESSIONS_DIR.iterdir() if p.suffix != ".md")


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_saved_case(path: Path) -> None:
    """A case the fuzzer once saved (a traceback or a hang then) fails cleanly now."""
    outcome = run_file(path, kind_of(path), limit=LIMIT)
    assert outcome.status == "error", outcome.detail
    assert outcome.detail.startswith(f"{path}:")


def test_oracle_catches_what_it_must(tmp_path: Path) -> None:
    """The oracle itself: a warning, a null issue value and an overlong case all fail it."""
    import warnings

    import fuzzing

    path = tmp_path / "s.yaml"
    path.write_text(fuzzing.seed_text("emission-1994"))
    real = fuzzing._forecast_checked

    def warns(sc: Any) -> None:
        warnings.warn("overflow encountered in multiply", RuntimeWarning, stacklevel=1)

    def loops(sc: Any) -> None:
        while True:
            pass

    try:
        fuzzing._forecast_checked = warns
        assert run_file(path, "yaml").status == "traceback"
        fuzzing._forecast_checked = loops
        assert run_file(path, "yaml", limit=0.5).status == "hang"
    finally:
        fuzzing._forecast_checked = real
    assert run_file(path, "yaml").status == "ok"
