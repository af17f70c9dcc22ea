"""One conformance test that every registered model must pass (the OpenSpiel pattern).

Issue models run on random inputs and on every bundled scenario through the registry contract:
one value per issue, within the range of the positioned actors' positions (every model in
realpolitik forecasts a compromise among the positions), or an explicit skip reason; the same
seed gives the same result; and the spec describes itself (summary, citation, options).
"""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.api import load
from realpolitik.errors import InputError
from realpolitik.models import IssueInputs, RunContext, get, names, specs
from realpolitik.scenario import bundled


def _random_inputs(seed: int, n_actors: int = 7, n_issues: int = 3) -> IssueInputs:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, (n_actors, n_issues)).round(1)
    s = rng.uniform(0.05, 1, (n_actors, n_issues)) / n_issues
    c = rng.uniform(1, 100, n_actors)
    mask = np.ones((n_actors, n_issues), dtype=bool)
    ref = rng.uniform(0, 100, n_issues)
    return IssueInputs(x=x, s=s, c=c, mask=mask, reference=ref)


def _check_result(name: str, inputs: IssueInputs, result) -> None:
    values = np.asarray(result.values, dtype=float)
    assert values.shape == (inputs.n_issues,), name
    for j in range(inputs.n_issues):
        if j in result.skipped:
            assert isinstance(result.skipped[j], str) and result.skipped[j]
            continue
        xj = inputs.x[inputs.mask[:, j], j]
        assert np.isfinite(values[j]), (name, j)
        assert xj.min() - 1e-6 <= values[j] <= xj.max() + 1e-6, (name, j, values[j])
    if result.trace is not None:
        tr = result.trace
        assert tr.positions.shape[1:] == inputs.x.shape, name
        assert tr.forecast_path.shape == (tr.positions.shape[0], inputs.n_issues), name
        assert np.allclose(tr.positions[0][inputs.mask], inputs.x[inputs.mask]), name


@pytest.mark.parametrize("name", names("issue"))
@pytest.mark.parametrize("seed", [1, 2])
def test_issue_model_contract_random(name, seed):
    spec = get(name)
    inputs = _random_inputs(seed)
    opts = spec.parse_options({})
    a = spec.run(inputs, opts, RunContext(seed=seed))
    _check_result(name, inputs, a)
    b = spec.run(inputs, opts, RunContext(seed=seed))
    assert np.array_equal(np.asarray(a.values), np.asarray(b.values), equal_nan=True), name


@pytest.mark.parametrize("scenario", bundled())
def test_issue_models_on_bundled_scenarios(scenario):
    sc = load(scenario)
    if not sc.issues:
        pytest.skip("no issues")
    inputs = sc.inputs()
    for spec in specs("issue"):
        result = spec.run(inputs, spec.parse_options({}), RunContext(seed=0))
        _check_result(spec.name, inputs, result)


@pytest.mark.parametrize("name", names())
def test_spec_describes_itself(name):
    spec = get(name)
    assert spec.summary and spec.citation and spec.kind in ("issue", "crisis", "logistics")
    spec.parse_options({})  # every option has a default
    with pytest.raises(InputError, match="no_such_option"):  # and an unknown one is refused
        spec.parse_options({"no_such_option": "1"})
