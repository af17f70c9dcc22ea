"""Hostile input: every malformed file of tests/data/bad/ (one per known defect) gives its
one-line located error with exit status 2, as do unreadable files, FIFOs, devices and bad
numeric options.

The expected messages are written from the corpus files themselves: each line and column is
where the bad text stands in the file (counted here, or by reading it), each field is the
path of keys to it. The files are described in tests/data/bad/README.md.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from realpolitik.errors import InputError
from realpolitik.scenario import loads

BAD = Path(__file__).parent / "data" / "bad"
CLI = [sys.executable, "-m", "realpolitik"]

TAGS = "expected a plain value (YAML tags are not supported)"
WRITTEN_OUT = "expected each value written out (anchors and aliases are not supported)"
DEEP = "nesting deeper than 64 levels; expected mappings and lists nested at most 64 deep"
FINITE = "expected a finite number, at most 2^64 (about 1.8e19) in magnitude"

# file -> its message after "FILE:"; a None column is counted in the test below.
EXPECTED = {
    "01-tag-python-object.yaml": f"1:7: the tag !!python/object/apply:os.system; {TAGS}",
    "02-merge-key-alias.yaml": f"2:11: the anchor &o; {WRITTEN_OUT}",
    "02-merge-key-inline.yaml": "4:6: the merge key <<; expected each key written out "
    "(merge keys are not supported)",
    "03-deep-lists.yaml": f"12:{8 + 64}: {DEEP}",  # `notes: ` then the 65th bracket
    "03-deep-mappings.yaml": f"12:{8 + 64 * 4}: {DEEP}",  # each level is `{a: `
    "04-dist-list-name.yaml": "3:41: actors.a.capability.dist: got ['normal']; expected a "
    "distribution: normal, uniform, triangular, beta, choice",
    "05-airlift-without-block.yaml": "12:22: models.1: 'airlift' needs a block that the "
    "scenario lacks; expected the `airlift` block (docs/scenario-format.md), or no airlift",
    "08-alias-bomb.yaml": f"12:7: the anchor &l0; {WRITTEN_OUT}",
    "09-entity-bomb.xml": "2:20: a document type declaration (DOCTYPE); expected a KTAB XML "
    "scenario without DTD or entities",
    "11-attrition-horizon.yaml": "22:12: attrition.horizon: got 1000000000; expected a "
    "number ≤ 36500",
    "11-eum-rounds.yaml": "14:23: eum.rounds: got 100000000; expected less than or equal to 1000",
    "11-airlift-fleet-count.yaml": "327:37: airlift.fleet.0.schedule.0.count: got 2000000; "
    "expected a count of at most 10,000 aircraft",
    "12-capability-inf.yaml": f"4:34: actors.b.capability: got inf; {FINITE}",
    "12-capability-1e400.yaml": f"4:34: actors.b.capability: got inf; {FINITE}",
    "12-scale-max-inf.yaml": f"9:26: issues.x.scale.max: got inf; {FINITE}",
    "13-runs-true.yaml": "12:7: runs: got true; expected a whole number",
    "13-binary-name.yaml": f"1:7: the tag !!binary; {TAGS}",
    "13-airfield-opens-after-closes.yaml": "248:15: airlift.airfields.Havel.closes: got "
    "1948-12-15; expected a date on or after opens (1949-07-05)",
    "13-deu-header-only.tsv": "2:1: no issue rows after the header; expected at least one "
    "issue row (columns prnr, isnr, positions, saliences, out)",
    "14-ktab-semicolons.csv": "1:1: line 1 has 1 field(s); expected scenario name, "
    "description, number of actors, number of dimensions",
    "14-ktab-wrong-root.xml": "2:1: Scenario: got 'Scenery'; expected a <Scenario> root "
    "element (smpSchema.xsd)",
    "15-tag-foo.yaml": f"4:34: the tag !foo; {TAGS}",
    "15-tag-python-name.yaml": f"4:34: the tag !!python/name:os.system; {TAGS}",
    "15-tag-set.yaml": f"12:8: the tag !!set; {TAGS}",
    "15-mapping-as-key.yaml": "10:31: a mapping used as a key; expected a plain key "
    "(a name or a number)",
    "15-scale-min-nan.yaml": f"9:18: issues.x.scale.min: got nan; {FINITE}",
    "16-nul-byte.yaml": "4:20: the control character U+0000; expected printable text (YAML "
    "allows no control characters but tab and newline)",
}


def _column(name: str, line: int, needle: str) -> int:
    text = (BAD / name).read_text(encoding="utf-8").splitlines()[line - 1]
    return text.index(needle) + 1


def _expected(name: str) -> str:
    if name in EXPECTED:
        return EXPECTED[name]
    if name == "13-deu-nan.tsv":  # the Commission's position (pcom) on the first issue
        col = _column(name, 3, "\tnan\t") + 1
        return f"3:{col}: d00060i1.pcom: got 'nan'; expected a position from 0 to 100, or an empty cell"
    if name in ("14-ktab-bad-count.csv", "14-ktab-superscript-digit.csv"):
        bad = "7x" if "count" in name else "⁷"
        return (
            f"1:{_column(name, 1, ',' + bad) + 1}: number of actors: got {bad!r}; expected a "
            "whole number of actors from 3 (KTAB's minimum) to 250"
        )
    raise KeyError(name)


CORPUS = sorted(p.name for p in BAD.iterdir() if p.suffix in (".yaml", ".csv", ".xml", ".tsv"))


def test_corpus_is_complete() -> None:
    """Every corpus file has its expected message, and every expectation its file."""
    assert set(EXPECTED) <= set(CORPUS)
    for name in CORPUS:
        _expected(name)


def _command(path: Path) -> list[str]:
    if path.suffix == ".tsv":
        return ["backtest", "deu", "--data", str(path)]
    return ["forecast", str(path)]


@pytest.mark.parametrize("name", CORPUS)
def test_corpus_file_gives_its_located_error(cli, name: str) -> None:
    path = BAD / name
    start = time.monotonic()
    r = cli(*_command(path))
    assert time.monotonic() - start < 20  # the bombs are refused, not expanded
    assert r.code == 2, r.err
    assert r.err.strip() == f"{path}:{_expected(name)}"
    assert r.err.count("\n") == 1


@pytest.mark.parametrize(
    "name", ["14-ktab-bad-count.csv", "14-ktab-semicolons.csv", "14-ktab-wrong-root.xml"]
)
def test_sensitivity_reports_the_format_error_too(cli, name: str) -> None:
    """Once recognised as KTAB, the file's own error, not "expected a YAML mapping"."""
    path = BAD / name
    r = cli("sensitivity", str(path))
    assert r.code == 2
    assert r.err.strip() == f"{path}:{_expected(name)}"


def test_validate_names_the_format_of_a_ktab_file(cli) -> None:
    path = BAD.parent / "ktab" / "dummyData_3Dim.csv"
    r = cli("validate", str(path))
    assert r.code == 2
    assert "(this is a ktab file: `realpolitik import ktab` converts it)" in r.err


def test_fake_parquet_gives_one_line(cli, tmp_path: Path) -> None:
    path = BAD / "16-fake-magic.parquet"
    r = cli("report", str(path), "--report", str(tmp_path / "r"))
    assert r.code == 2
    assert r.err.startswith(f"{path}: not a readable Parquet file (")
    assert r.err.endswith("; expected a Parquet file written by `forecast --runs N --out FILE`\n")
    assert r.err.count("\n") == 1


def test_airlift_model_without_block_from_the_command_line(cli) -> None:
    r = cli("forecast", "emission-1994", "--model", "airlift")
    assert r.code == 2
    assert r.err == (
        "realpolitik: --model airlift: the scenario has no `airlift` block; expected a "
        "scenario with an `airlift` block (see docs/scenario-format.md)\n"
    )


# -- numeric options ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["forecast", "--runs", "0"], "--runs: got 0; expected a whole number from 1 to 1,000,000"),
        (
            ["forecast", "--seed", "-1"],
            "--seed: got -1; expected a whole number from 0 to 9,223,372,036,854,775,807",
        ),
        (
            ["sensitivity", "moscow-1949", "--samples", "1"],
            "--samples: got 1; expected a whole number from 2 to 65,536",
        ),
        (
            ["sensitivity", "moscow-1949", "--model", "compromise", "--samples", "1000000000000"],
            "--samples: got 1000000000000; expected a whole number from 2 to 65,536",
        ),
        (
            ["backtest", "deu", "--resamples", "0"],
            "--resamples: got 0; expected a whole number from 1 to 100,000",
        ),
        (
            ["backtest", "crises", "--resamples", "0"],
            "--resamples: got 0; expected a whole number from 1 to 100,000",
        ),
        (
            ["forecast", "--airlift-draws", "0"],
            "--airlift-draws: got 0; expected a whole number from 1 to 1,000,000",
        ),
        (
            ["runs", "show", "0"],
            "RUN: got 0; expected a whole number from 1 to 9,223,372,036,854,775,807",
        ),
        (
            ["serve", "--port", "70000"],
            "--port: got 70000; expected a whole number from 0 to 65,535",
        ),
        (["serve", "--max-jobs", "0"], "--max-jobs: got 0; expected a whole number from 1 to 256"),
        (["forecast", ""], "'': an empty path; expected a scenario file or a bundled id"),
    ],
)
def test_bad_option_gives_the_one_line_form(cli, argv: list[str], message: str) -> None:
    r = cli(*argv)
    assert r.code == 2
    assert r.err.strip().removeprefix("realpolitik: ") == message
    assert "╭" not in r.err and r.err.count("\n") == 1


# -- files that cannot be read -----------------------------------------------------------


def _run(*argv: str, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*(prefix or []), *CLI, *argv], capture_output=True, text=True, timeout=60
    )


def _unprivileged() -> list[str]:
    """As root (CI), drop the capabilities that let root read any file."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot drop dac_override")
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.parametrize("command", [["validate"], ["import", "ktab"]])
def test_mode_000_file(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "locked.yaml"
    path.write_text((BAD.parent / "ktab" / "dummyData_3Dim.csv").read_text())
    path.chmod(0)
    r = _run(*command, str(path), prefix=_unprivileged())
    assert r.returncode == 2, r.stderr
    assert r.stderr == f"{path}: permission denied; expected a path to a readable file\n"


def test_file_in_unreadable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "s.yaml").write_text("name: x\n")
    folder.chmod(0)
    try:
        r = _run("validate", str(folder / "s.yaml"), prefix=_unprivileged())
    finally:
        folder.chmod(stat.S_IRWXU)
    assert r.returncode == 2, r.stderr
    assert r.stderr == (
        f"{folder / 's.yaml'}: permission denied; expected a path to a readable file\n"
    )


@pytest.mark.skipif(not Path("/proc/1/mem").exists(), reason="no /proc")
def test_proc_mem(cli) -> None:
    r = cli("validate", "/proc/1/mem")
    assert r.code == 2
    assert r.err.startswith("/proc/1/mem: ")
    assert r.err.count("\n") == 1


def test_path_too_long(cli) -> None:
    path = "a" * 5000 + ".yaml"
    for command in (["validate"], ["forecast"], ["import", "bdm"]):
        r = cli(*command, path)
        assert r.code == 2
        assert r.err == (
            f"{path}: the path is too long for the system; expected a path to a readable file\n"
        )


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    r = _run("validate", str(fifo))  # would block forever reading a FIFO without a writer
    assert r.returncode == 2
    assert r.stderr == f"{fifo}: this is a named pipe (FIFO); expected a path to a regular file\n"


def test_device_is_refused(cli) -> None:
    r = cli("validate", "/dev/zero")  # st_size 0, endless: the size check must not trust it
    assert r.code == 2
    assert r.err == "/dev/zero: this is a character device; expected a path to a regular file\n"


def test_read_stops_at_the_limit(tmp_path: Path) -> None:
    """Only limit + 1 bytes are read, whatever the file's size."""
    from realpolitik.scenario._read import read_bytes

    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 5000)
    assert len(read_bytes(path, limit=5000)) == 5000
    with pytest.raises(InputError) as err:
        read_bytes(path, limit=4999)
    assert str(err.value).startswith(f"{path}: the file is 0.0 MB; expected a file of at most")


# -- YAML details --------------------------------------------------------------------------


def test_merge_key_as_quoted_text_is_a_plain_key() -> None:
    """Only the plain `<<` is a merge key: a quoted one is an ordinary (unknown) key."""
    text = (
        (BAD / "02-merge-key-inline.yaml")
        .read_text()
        .replace("{<<: {name: B}, ", '{"<<": 1, name: B, ')
    )
    with pytest.raises(InputError) as err:
        loads(text, file="s.yaml")
    assert "unknown key '<<'" in str(err.value)


def test_nesting_up_to_the_limit_parses() -> None:
    """64 levels are allowed: the limit refuses only what no scenario needs."""
    base = (
        (BAD / "01-tag-python-object.yaml")
        .read_text()
        .replace('name: !!python/object/apply:os.system ["true"]', "name: deep")
    )
    ok = base + "notes: " + "[" * 63 + "1" + "]" * 63 + "\n"
    with pytest.raises(InputError) as err:  # 64 levels with the document: an unknown key
        loads(ok, file="s.yaml")
    assert "unknown key 'notes'" in str(err.value)
    deep = base + "notes: " + "[" * 64 + "1" + "]" * 64 + "\n"
    with pytest.raises(InputError) as err:
        loads(deep, file="s.yaml")
    assert "nesting deeper than 64 levels" in str(err.value)


def test_too_many_actors() -> None:
    text = "name: crowd\nactors:\n" + "".join(
        f"  - {{id: a{i}, name: A, capability: 1}}\n" for i in range(251)
    )
    with pytest.raises(InputError) as err:
        loads(text, file="s.yaml")
    assert str(err.value) == "s.yaml:3:3: actors: 251 entries; expected at most 250 entries"


def test_executor_worker_count_is_bounded(cli) -> None:
    r = cli("forecast", "emission-1994", "--executor", "processes:100000")
    assert r.code == 2
    assert r.err == (
        "realpolitik: --executor: got 'processes:100000'; expected a worker count from 1 to "
        "256 after the colon, e.g. processes:4\n"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("capability: 2}", "capability: true}", "4:34: actors.b.capability: got true"),
        ("b: 0.5}", "b: false}", "11:28: issues.x.saliences.b: got false"),
    ],
)
def test_booleans_are_not_numbers(old: str, new: str, message: str) -> None:
    base = (BAD / "13-runs-true.yaml").read_text().replace("runs: true\n", "")
    with pytest.raises(InputError) as err:
        loads(base.replace(old, new, 1), file="s.yaml")
    assert str(err.value) == f"s.yaml:{message}; expected a number"


def test_boolean_model_option_is_not_a_number() -> None:
    base = (BAD / "13-runs-true.yaml").read_text().replace("runs: true\n", "")
    with pytest.raises(InputError) as err:
        loads(base + "models:\n  - {name: eum, options: {rounds: true}}\n", file="s.yaml")
    assert str(err.value) == "s.yaml:13:35: eum.rounds: got true; expected a number"
