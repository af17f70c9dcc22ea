"""Forecasts are equivariant under affine maps of an issue's scale (scenario level)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.api import loads
from realpolitik.forecast import forecast
from realpolitik.models import names

TEMPLATE = """
name: affine
actors:
  - {{id: a, name: A, capability: 3}}
  - {{id: b, name: B, capability: 1}}
  - {{id: c, name: C, capability: 2}}
issues:
  - id: i
    name: I
    unit: u
    scale: {{min: {lo}, max: {hi}}}
    positions: {{a: {pa}, b: {pb}, c: {pc}}}
    saliences: {{a: 0.5, b: 0.9, c: 0.3}}
"""


def _forecasts(lo, hi, ps):
    text = TEMPLATE.format(lo=lo, hi=hi, pa=ps[0], pb=ps[1], pc=ps[2])
    sc = loads(text)
    fc = forecast(sc, ["mean", "compromise", "median", "nbs"])
    return {m: fc.value(m, 0) for m in fc.issue_results}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
    st.floats(0.1, 1000),
    st.floats(-1000, 1000),
)
def test_affine_equivariance(fracs, a, b):
    base = _forecasts(0, 1, fracs)
    moved = _forecasts(b, a + b, [a * f + b for f in fracs])
    for name, v in base.items():
        assert moved[name] == pytest.approx(a * v + b, rel=1e-7, abs=1e-7 * (abs(b) + a)), name


def test_static_models_registered():
    assert {"mean", "compromise", "median", "nbs"} <= set(names("issue"))
