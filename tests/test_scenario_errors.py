"""Every malformed input gets one located message and exit status 2, never a traceback."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = """\
name: tiny
actors:
  - id: a
    name: A
    capability: 2
  - id: b
    name: B
    capability: 1
  - id: c
    name: C
    capability: 1
issues:
  - id: railway
    name: Railway
    unit: years
    scale: {min: 0, max: 30}
    reference_point: 25
    positions:
      a: 25
      b: 0
      c: 10
    saliences:
      a: 0.7
      b: 0.8
      c: 0.5
"""


def _write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


# (description, text, expected line, what the message must also contain)
CASES = [
    (
        "yaml syntax",
        GOOD.replace("scale: {min: 0, max: 30}", "scale: {min: 0, max: 30"),
        17,
        ["YAML syntax error", "got ':'"],
    ),  # the flow mapping runs on into line 17
    ("missing name", GOOD.replace("name: tiny\n", ""), 1, ["'name'", "missing"]),
    (
        "wrong type",
        GOOD.replace("capability: 2", "capability: lots"),
        5,
        ["actors.a.capability", "'lots'", "a number"],
    ),
    (
        "position outside scale",
        GOOD.replace("b: 0\n", "b: 45\n"),
        20,
        ["issues.railway.positions.b", "got 45", "0 to 30"],
    ),
    (
        "reference outside scale",
        GOOD.replace("reference_point: 25", "reference_point: 31"),
        17,
        ["issues.railway.reference_point", "got 31"],
    ),
    (
        "salience outside [0,1]",
        GOOD.replace("b: 0.8", "b: 80"),
        24,
        ["issues.railway.saliences.b", "got 80", "between 0 and 1"],
    ),
    (
        "undeclared actor",
        GOOD.replace("      c: 10\n", "      stalin: 10\n"),
        21,
        ["issues.railway.positions.stalin", "not declared"],
    ),
    ("duplicate actor", GOOD.replace("id: c\n", "id: b\n"), 9, ["actors.b.id", "unique"]),
    (
        "duplicate issue",
        GOOD + GOOD[GOOD.index("  - id: railway") :],
        26,
        ["issues.railway.id", "'railway'", "unique"],
    ),
    (
        "one positioned actor",
        GOOD.replace("      b: 0\n      c: 10\n", "").replace("      b: 0.8\n      c: 0.5\n", ""),
        19,
        ["issues.railway.positions", "at least 2"],
    ),
    (
        "capability <= 0",
        GOOD.replace("capability: 2", "capability: 0"),
        5,
        ["actors.a.capability", "got 0", "> 0"],
    ),
    (
        "unknown key",
        GOOD.replace("name: tiny\n", "name: tiny\ncolour: red\n"),
        2,
        ["unknown key 'colour'", "actors"],
    ),
    (
        "unknown model in file",
        GOOD + "models: [compromise, oracle]\n",
        26,
        ["models.1", "'oracle'", "compromise"],
    ),
    (
        "model listed twice",
        GOOD + "models: [compromise, median, compromise]\n",
        26,
        ["models.2", "'compromise' is listed twice", "each model once"],
    ),
    ("empty file", "", None, ["empty"]),
    ("comments only", "# nothing here\n", None, ["empty"]),
    ("not a mapping", "- 1\n- 2\n", 1, ["mapping"]),
]


@pytest.mark.parametrize("desc,text,line,parts", CASES, ids=[c[0] for c in CASES])
def test_located_error(cli, tmp_path, desc, text, line, parts):
    path = _write(tmp_path, text)
    res = cli("validate", path)
    assert res.code == 2, res
    msg = res.err.strip()
    assert "Traceback" not in res.err and msg.count("\n") == 0, msg
    assert msg.startswith(str(path) + ":"), msg
    if line is not None:
        assert re.match(re.escape(str(path)) + rf":{line}:\d+: ", msg), msg
    else:
        assert re.match(re.escape(str(path)) + r"(:\d+:\d+)?: ", msg), msg
    assert "expected" in msg
    for part in parts:
        assert part in msg, (part, msg)


def test_not_utf8(cli, tmp_path):
    path = _write(tmp_path, GOOD.encode().replace(b"name: A", b"name: \xe9A"))
    res = cli("validate", path)
    assert res.code == 2
    assert re.match(re.escape(str(path)) + r":4:\d+: byte 0xe9 is not UTF-8", res.err), res.err


def test_missing_file(cli, tmp_path):
    res = cli("validate", tmp_path / "nope.yaml")
    assert res.code == 2
    assert res.err.startswith(f"{tmp_path / 'nope.yaml'}: no such file"), res.err


def test_directory(cli, tmp_path):
    res = cli("forecast", tmp_path)
    assert res.code == 2
    assert res.err.startswith(f"{tmp_path}: this is a directory"), res.err


def test_too_large(cli, tmp_path):
    path = _write(tmp_path, GOOD + "#" * (10 * 1024 * 1024 + 1) + "\n")
    res = cli("validate", path)
    assert res.code == 2
    assert res.err.startswith(f"{path}: the file is 10.5 MB; expected a file of at most 10 MB")


def test_unknown_model_on_command_line(cli):
    res = cli("forecast", "emission-1994", "--model", "oracle")
    assert res.code == 2
    assert res.err.startswith("realpolitik: --model: got 'oracle'; expected one of:"), res.err
    assert "compromise" in res.err and res.out == ""
    # The list comes from the registry, not from cutting the name's own text at "; expected".
    res = cli("forecast", "emission-1994", "--model", "x; expected y")
    assert res.code == 2
    assert res.err.startswith("realpolitik: --model: got 'x; expected y'; expected one of: ")


def test_model_given_twice_on_command_line(cli):
    # Forecasts are keyed by model name: a second --model median would silently replace the
    # first, so it is refused.
    res = cli("forecast", "emission-1994", "--model", "median:tie=upper", "--model", "median")
    assert res.code == 2 and res.out == ""
    assert res.err.startswith("realpolitik: --model: 'median' is given twice; expected"), res.err


def test_bad_model_option_on_command_line(cli):
    res = cli("forecast", "emission-1994", "--model", "median:tie=sideways")
    assert res.code == 2
    assert "median.tie" in res.err and "'sideways'" in res.err, res.err
    assert "expected 'lower', 'upper' or 'midpoint'" in res.err, res.err  # MedianOptions.tie
    res = cli("forecast", "emission-1994", "--model", "eum:rounds=abc")
    assert res.code == 2 and "eum.rounds: got 'abc'; expected a valid integer" in res.err
    res = cli("forecast", "emission-1994", "--model", "median:colour=red")
    assert res.code == 2 and "unknown option 'colour'" in res.err, res.err


def test_good_file_validates(cli, tmp_path):
    res = cli("validate", _write(tmp_path, GOOD))
    assert res.code == 0, res.err
    assert "3 actors" in res.out and "1 issues" in res.out


def test_no_traceback_in_a_real_process(tmp_path):
    path = _write(tmp_path, GOOD.replace("b: 0\n", "b: 45\n"))
    proc = subprocess.run(
        [sys.executable, "-m", "realpolitik", "forecast", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"{path}:20:")
