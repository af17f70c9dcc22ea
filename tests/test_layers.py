"""The one-way layers (docs/architecture.md, "Layers") and the scenario's public distributions.

- ``lint-imports`` keeps the layers contract of pyproject.toml, and breaks it on a copy of
  the package where the scenario imports the simulation (an upward import);
- importing ``realpolitik.scenario`` loads no higher layer and neither simpy nor scipy;
- a scenario dumped and validated again keeps every uncertain input, for every bundled one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from realpolitik.api import load
from realpolitik.ensemble import uncertain_inputs
from realpolitik.scenario import Scenario, bundled

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (the dev extra)")
def test_layers_contract_is_kept():
    res = _lint(ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 kept, 0 broken" in res.stdout


@pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed (the dev extra)")
@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("scenario/schema.py", "realpolitik.sim"),
        ("models/static.py", "realpolitik.sim.timeline"),
        ("ensemble/runner.py", "realpolitik.analysis.summary"),
        ("contracts/arrays.py", "realpolitik.scenario"),
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward):
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "realpolitik" / module
    target.write_text(target.read_text() + f"\nimport {upward}  # noqa\n")
    res = _lint(tmp_path)
    assert res.returncode != 0, res.stdout
    assert "0 kept, 1 broken" in res.stdout
    low = "realpolitik." + module.split("/")[0]
    assert f"{low} is not allowed to import {'.'.join(upward.split('.')[:2])}" in res.stdout


def test_importing_the_scenario_loads_no_higher_layer():
    code = (
        "import realpolitik.scenario, sys; "
        "print(' '.join(m for m in sys.modules if m.startswith(('realpolitik', 'simpy', 'scipy'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert "realpolitik.scenario" in out
    for name in out:
        assert not name.startswith(("simpy", "scipy")), name
        layer = name.split(".")[1] if name.count(".") else ""
        assert layer in ("", "scenario", "contracts", "errors"), name


@pytest.mark.parametrize("name", bundled())
def test_round_trip_keeps_every_uncertain_input(name):
    sc = load(name)
    again = Scenario.model_validate(sc.model_dump())
    want = [(u.name, u.target, u.index, u.dist.describe()) for u in uncertain_inputs(sc)]
    got = [(u.name, u.target, u.index, u.dist.describe()) for u in uncertain_inputs(again)]
    assert got == want
    assert again.distributions == sc.distributions
    assert again.model_dump() == sc.model_dump()


def test_moscow_keeps_its_uncertain_inputs_after_a_round_trip():
    """The distributions of the file (the six attrition ones among them, counted from the file
    itself below) and the spreads of its uncertainty block survive a dump and a validation."""
    import re

    from realpolitik.scenario import bundled_path

    text = bundled_path("moscow-1949").read_text()
    in_file = len(re.findall(r"\{\s*dist:", text))
    sc = load("moscow-1949")
    again = Scenario.model_validate(sc.model_dump())
    file_inputs = [u for u in uncertain_inputs(again) if u.origin == "file"]
    assert len(file_inputs) == in_file
    assert sum(u.name.startswith("attrition.") for u in file_inputs) == 6
    before = [(u.name, u.origin) for u in uncertain_inputs(sc)]
    assert [(u.name, u.origin) for u in uncertain_inputs(again)] == before
    assert len(before) > len(file_inputs)  # the uncertainty block's spreads are there too


def test_a_file_cannot_write_the_derived_keys():
    from realpolitik.api import loads
    from realpolitik.errors import InputError

    text = (ROOT / "src/realpolitik/scenarios/moscow-1949.yaml").read_text()
    with pytest.raises(InputError, match=r"^<string>:\d+:\d+: distributions: .*no 'distributions'"):
        loads(text + "\ndistributions: []\n")
