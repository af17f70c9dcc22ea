"""The fuzzer's mutation strategies and its one-case oracle, shared by tests/test_fuzz.py
(hypothesis) and benchmarks/fuzz.py (many cases on every core).

A case is a seed file (a bundled scenario, the KTAB CSV and XML samples, the BdM emission
CSV, the head of the bundled DEU split) mutated by a few random edits: of the YAML tree
(delete, duplicate, retype, perturb a node, wrap a number in a distribution, set a loop size
to a huge value) and of the text (tags, anchors, aliases and merge keys, character edits,
deep nesting, cell edits). :func:`run_case` writes the mutant to a file, loads it as
``realpolitik forecast`` does, runs a one-run forecast, and classifies the outcome:

- ``ok``: it ran; every issue model's value is a finite number, no warning was issued;
- ``error``: a one-line located :class:`~realpolitik.errors.InputError` naming the file;
- ``traceback``: anything else (an exception, a warning, a null issue value, an unlocated
  or multi-line message);
- ``hang``: the case ran past its time limit.

Choices go through a :class:`Chooser`, so that hypothesis (which shrinks a failing case) and
the stand-alone fuzzer (a seeded ``random.Random`` per case) drive the same strategies.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import signal
import tempfile
import traceback
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "tests" / "data" / "ktab"  # KTAB's examples, with their README
REGRESSIONS_DIR = ROOT / "tests" / "data" / "fuzz" / "regressions"

__all__ = [
    "Chooser",
    "RandomChooser",
    "Case",
    "Outcome",
    "SEED_NAMES",
    "seed_text",
    "mutate",
    "run_case",
    "run_file",
]


class Chooser(Protocol):
    def integer(self, lo: int, hi: int) -> int: ...  # lo..hi inclusive

    def choice(self, seq: Sequence[Any]) -> Any: ...


class RandomChooser:
    """A :class:`Chooser` over ``random.Random(seed)``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, seq: Sequence[Any]) -> Any:
        return seq[self.rng.randrange(len(seq))]


# -- seeds -----------------------------------------------------------------------------------

# (name, kind, file suffix, weight). Berlin runs the airlift (slow): a shorter timeline and a
# small weight keep the fuzzer's rate up while still reaching every block.
_SEEDS = [
    ("moscow-1949", "yaml", ".yaml", 6),
    ("moscow-1949-berlin", "yaml", ".yaml", 3),
    ("emission-1994", "yaml", ".yaml", 20),
    ("berlin-1948", "yaml", ".yaml", 1),
    ("ktab-dummy", "ktab", ".csv", 14),
    ("ktab-xml", "ktab", ".xml", 10),
    ("bdm-emission", "bdm", ".csv", 10),
    ("deu-head", "deu", ".tsv", 8),
]
SEED_NAMES = [s[0] for s in _SEEDS]
_WEIGHTED = [s[0] for s in _SEEDS for _ in range(s[3])]
_KIND = {s[0]: (s[1], s[2]) for s in _SEEDS}


@cache
def seed_text(name: str) -> str:
    """The seed file's text."""
    if name in ("moscow-1949", "moscow-1949-berlin", "emission-1994", "berlin-1948"):
        from realpolitik.scenario.load import bundled_path

        text = bundled_path(name).read_text(encoding="utf-8")
        if name == "berlin-1948":  # 241 days instead of 463: the airlift runs in 0.7 s
            text = text.replace("end: 1949-09-30", "end: 1949-02-20")
            text = text.replace("end: 1949-07-31", "end: 1949-02-19")  # the learning signal's
        return text
    if name == "deu-head":  # the header, the figures row and the first 8 issues
        from realpolitik.scenario.importers.deu import bundled_data_path

        lines = bundled_data_path().read_text(encoding="utf-8").splitlines(keepends=True)
        return "".join(lines[:10])
    file = {"ktab-dummy": "dummyData_3Dim.csv", "ktab-xml": "smpExample_20170530.xml"}.get(name)
    if file is None:
        return (ROOT / "tests" / "data" / "bdm" / "emission_1994.csv").read_text(encoding="utf-8")
    return (SEEDS_DIR / file).read_text(encoding="utf-8-sig")


@cache
def _seed_tree(name: str) -> Any:
    from realpolitik.scenario._yaml import parse_yaml

    return parse_yaml(seed_text(name), file=name)[0]


# -- tree mutations (YAML scenarios) -----------------------------------------------------------

_ODD_VALUES: list[Any] = [
    "text",
    "",
    0,
    -1,
    1,
    2.5,
    1e308,
    -1e308,
    1e-320,
    math.inf,
    -math.inf,
    math.nan,
    10**30,
    -(10**30),
    True,
    False,
    None,
    [],
    {},
    [1, 2],
    {"a": 1},
    {"dist": "normal"},
    dt.date(1950, 1, 1),
    dt.date(1, 1, 1),
    "1950-02-30",
    "x" * 300,
    "¹²",
    "٣",
]

_DISTS: list[Any] = ["normal", "uniform", "triangular", "beta", "choice", "lognormal", 5, None]
_DIST_KEYS = ["mean", "sd", "low", "high", "mode", "a", "b", "values", "weights", "bounds"]

# Loop sizes and counts a user sets: the fuzzer tries huge values on them.
_LOOP_PATHS: list[tuple[Any, ...]] = [
    ("runs",),
    ("attrition", "horizon"),
    ("airlift", "fleet", 0, "count"),
    ("airlift", "days"),
    ("time", "end"),
]
_MODEL_OPTIONS: list[dict[str, Any]] = [
    {"name": "eum", "options": {"rounds": 10**8}},
    {"name": "eum", "options": {"rounds": -3}},
    {"name": "smp", "options": {"turns": 10**7}},
    {"name": "smp", "options": {"turns": 0}},
    {"name": "attrition", "options": {"horizon": 10**9}},
    {"name": "nbs", "options": {"tolerance": 0}},
    {"name": "airlift", "options": {}},
    {"name": "rubinstein", "options": {}},
    "compromise",
    "smp",
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        node = node[k]
    return node


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _number_like(c: Chooser) -> Any:
    return c.choice([0, 1, -1, 0.5, 50, 100, 1e9, -1e9, math.inf, math.nan, 10**25, "5", None])


def _distribution(c: Chooser, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"dist": c.choice(_DISTS) if c.integer(0, 3) else ["normal"]}
    for _ in range(c.integer(0, 4)):
        key = c.choice(_DIST_KEYS)
        if key in ("values", "weights", "bounds"):
            out[key] = [
                value if c.integer(0, 1) else _number_like(c) for _ in range(c.integer(0, 3))
            ]
        else:
            out[key] = value if c.integer(0, 2) else _number_like(c)
    return out


def _perturb(c: Chooser, value: float) -> Any:
    op = c.integer(0, 7)
    if op == 0:
        return -value
    if op == 1:
        return value * 10 ** c.integer(1, 12)
    if op == 2:
        return value / 10 ** c.integer(1, 12)
    if op == 3:
        return value + c.choice([1, -1, 0.001, -0.001, 100])
    if op == 4:
        return 0
    if op == 5:
        return int(value) if isinstance(value, float) and math.isfinite(value) else value + 0.5
    if op == 6:
        return str(value)
    return c.choice([math.inf, -math.inf, math.nan, 1e300])


def mutate_tree(c: Chooser, data: Any) -> Any:
    """One random edit of the plain YAML tree ``data`` (a copy is edited and returned)."""
    data = _copy(data)
    op = c.integer(0, 9)
    if op == 9 and isinstance(data, dict):  # a loop size or a model list
        if c.integer(0, 1):
            data["models"] = [c.choice(_MODEL_OPTIONS) for _ in range(c.integer(1, 2))]
        else:
            path = c.choice(_LOOP_PATHS)
            node = data
            for k in path[:-1]:
                if isinstance(node, dict) and k in node:
                    node = node[k]
                elif isinstance(node, list) and isinstance(k, int) and k < len(node):
                    node = node[k]
                else:
                    return data
            if isinstance(node, dict):
                node[path[-1]] = c.choice([10**9, 10**7, 2_000_000, 0, -5, True, 1.5, math.inf])
        return data
    paths = _paths(data)[1:]
    if not paths:
        return data
    path = c.choice(paths)
    parent, key = _get(data, path[:-1]), path[-1]
    value = parent[key]
    if op == 0:  # delete
        del parent[key]
    elif op == 1:  # duplicate
        if isinstance(parent, list):
            parent.insert(key, _copy(value))
        else:
            sib = c.choice(list(parent))
            parent[sib] = _copy(value)
    elif op in (2, 3):  # retype
        parent[key] = c.choice(_ODD_VALUES)
    elif op in (4, 5) and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[key] = _perturb(c, value)
    elif op == 6 and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[key] = _distribution(c, value)
    elif op == 7 and isinstance(parent, dict):  # an unknown or moved key
        parent[c.choice(["extra", "id", "name", "dist", str(key) + "_", 7])] = _copy(value)
    elif op == 8:  # swap with a sibling
        other = c.choice(list(parent) if isinstance(parent, dict) else range(len(parent)))
        parent[key], parent[other] = parent[other], parent[key]
    else:
        parent[key] = c.choice(_ODD_VALUES)
    return data


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)  # a YAML double-quoted string


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"}


def _emit(node: Any, pad: str, out: list[str]) -> None:
    items = node.items() if isinstance(node, dict) else ((None, v) for v in node)
    for key, value in items:
        head = f"{pad}{_scalar(key)}:" if isinstance(node, dict) else f"{pad}-"
        if isinstance(value, (dict, list)) and value:
            if isinstance(node, list) and isinstance(value, dict):  # `- key: value` style
                inner: list[str] = []
                _emit(value, pad + "  ", inner)
                inner[0] = f"{pad}- " + inner[0][len(pad) + 2 :]
                out += inner
            else:
                out.append(head)
                _emit(value, pad + "  ", out)
        elif isinstance(value, (dict, list)):
            out.append(f"{head} {'{}' if isinstance(value, dict) else '[]'}")
        else:
            out.append(f"{head} {_scalar(value)}")


def dump_yaml(data: Any) -> str:
    """Plain data as block YAML text (what a user might have written). A small emitter of
    its own: ruamel's dumper took a fifth of the fuzzer's time."""
    if not isinstance(data, (dict, list)) or not data:
        return _scalar(data) + "\n" if not isinstance(data, (dict, list)) else "{}\n"
    out: list[str] = []
    _emit(data, "", out)
    return "\n".join(out) + "\n"


# -- text mutations --------------------------------------------------------------------------

_TAGS = [
    '!!python/object/apply:os.system ["true"]',
    "!!python/name:os.system",
    "!foo",
    "!!binary",
    "!!set",
    "!!str",
    "!!float",
    "!!int",
    "!!map",
    "!!seq",
    "!!timestamp",
    "!!omap",
]
_SNIPPETS = [
    "\x00",
    "\t",
    "¹",
    "\ufeff",
    "\u202e",
    "nan",
    "inf",
    "-inf",
    ".inf",
    ".nan",
    "1e400",
    "-0",
    "0x1F",
    "1_000",
    "abc",
    ";",
    ",",
    '"',
    "'",
    "{",
    "[",
    "]",
    "}",
    ": ",
    "- ",
    "#",
    "&a ",
    "*a",
    "<<: ",
    "? ",
    "|",
    ">",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\n",
    '<!DOCTYPE x [<!ENTITY e "eeeeeeeeee">]>',
    "&e;",
    "<x>",
    "</x>",
    "&amp;",
    "9" * 40,
]


def mutate_text(c: Chooser, text: str) -> str:
    """One random edit of the text."""
    lines = text.splitlines(keepends=True) or [""]
    op = c.integer(0, 9)
    i = c.integer(0, len(lines) - 1)
    line = lines[i]
    if op == 0:  # insert a snippet
        at = c.integer(0, len(line))
        lines[i] = line[:at] + c.choice(_SNIPPETS) + line[at:]
    elif op == 1:  # delete a span
        at = c.integer(0, len(line))
        lines[i] = line[:at] + line[at + c.integer(1, 8) :]
    elif op == 2:  # delete or duplicate a line
        if c.integer(0, 1):
            del lines[i]
        else:
            lines.insert(i, line)
    elif op == 3:  # a tag before a value
        at = line.find(": ")
        if at >= 0:
            lines[i] = line[: at + 2] + c.choice(_TAGS) + " " + line[at + 2 :]
    elif op == 4:  # an anchor here, an alias elsewhere
        j = c.integer(0, len(lines) - 1)
        at, bt = line.find(": "), lines[j].find(": ")
        if at >= 0 and bt >= 0 and i != j:
            lines[i] = line[: at + 2] + "&a " + line[at + 2 :]
            lines[j] = lines[j][: bt + 2] + "*a\n"
    elif op == 5:  # a merge key into a list item's mapping
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") and ": " in stripped:
            pad = " " * (len(line) - len(stripped) + 2)
            merge = c.choice(["{name: M, capability: 3}", "*a", "[{x: 1}]", "{}", "5"])
            lines.insert(i + 1, f"{pad}<<: {merge}\n")
    elif op == 6:  # a number replaced
        words = line.split(" ")
        k = c.integer(0, len(words) - 1)
        words[k] = c.choice(
            ["nan", ".nan", ".inf", "-.inf", "1e400", "-1", "0", "1e9", "10000000", "²", "abc"]
        )
        lines[i] = " ".join(words)
    elif op == 7:  # a cell edit in a delimited row
        sep = c.choice([",", "\t", ";"])
        cells = line.rstrip("\n").split(sep)
        k = c.integer(0, len(cells) - 1)
        action = c.integer(0, 3)
        if action == 0:
            cells[k] = c.choice(["", "nan", "inf", "-5", "1e400", "¹", "x", '"', "101", "999"])
        elif action == 1:
            del cells[k]
        elif action == 2:
            cells.insert(k, cells[k])
        else:
            cells = [cl.replace(",", ";") for cl in cells]
        lines[i] = sep.join(cells) + ("\n" if line.endswith("\n") else "")
    elif op == 8:  # deep nesting
        depth = c.choice([50, 500, 3000, 6000])
        opener, closer = c.choice([("{a: ", "}"), ("[", "]"), ("<a>", "</a>")])
        lines.insert(i, "deep: " + opener * depth + "1" + closer * depth + "\n")
    else:  # truncate
        lines = lines[: c.integer(0, len(lines))]
    return "".join(lines)


@dataclass(frozen=True)
class Case:
    """A mutant: its seed's name, its kind and file suffix, and its text."""

    seed: str
    kind: str
    suffix: str
    text: str


def mutate(c: Chooser) -> Case:
    """A seed with 1-4 random edits (tree edits for YAML, then text edits)."""
    name = c.choice(_WEIGHTED)
    kind, suffix = _KIND[name]
    if kind == "yaml" and c.integer(0, 3):
        data = _seed_tree(name)
        for _ in range(c.integer(1, 3)):
            data = mutate_tree(c, data)
        text = dump_yaml(data)
    else:
        text = seed_text(name)
    for _ in range(c.integer(0 if kind == "yaml" else 1, 2)):
        text = mutate_text(c, text)
    return Case(name, kind, suffix, text)


# -- the oracle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """``ok``, ``error``, ``traceback`` or ``hang``, with the message or traceback."""

    status: str
    detail: str = ""


class _Timeout(BaseException):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _forecast_checked(sc: Any) -> None:
    from realpolitik.forecast import forecast

    result = forecast(sc, None, seed=0, runs=1)
    out = result.to_json(trace=True)
    json.dumps(out, allow_nan=False)
    for issue in out["issues"]:
        for model, entry in issue["forecasts"].items():
            if entry.get("value") is None and "skipped" not in entry:
                raise AssertionError(f"{model} gives null on issue {issue['id']!r}")


def _run_loaded(path: Path, kind: str) -> None:
    if kind == "deu":
        from realpolitik.api import loads
        from realpolitik.scenario.importers import to_yaml
        from realpolitik.scenario.importers.deu import (
            bundled_capabilities_path,
            read_capabilities,
            read_deu,
            to_imported,
        )

        data = read_deu(path)
        caps = read_capabilities(bundled_capabilities_path())
        for issue in data.issues[:1]:
            imported = to_imported(data, issue.id, caps)
            _forecast_checked(loads(to_yaml(imported, str(path)), file=f"{path} (as imported)"))
        return
    from realpolitik.api import load_any  # every check, as the command line loads

    _forecast_checked(load_any(str(path)))


def run_file(path: Path, kind: str, *, limit: float = 10.0) -> Outcome:
    """Load ``path`` and run a one-run forecast within ``limit`` seconds of CPU time (main
    thread only). CPU time, not wall time: on a busy machine a slow case is not a hang; a
    case blocked without using the CPU is caught by the caller's wall-clock watchdog."""
    from realpolitik.errors import InputError

    old = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, limit)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _run_loaded(path, kind)
    except _Timeout:
        return Outcome("hang", f"ran past {limit:g} s of CPU time")
    except InputError as exc:
        text = str(exc)
        located = exc.file is not None and exc.file.startswith(str(path))
        if "\n" in text or not located:
            return Outcome("traceback", f"badly formed message: {text!r}")
        return Outcome("error", text)
    except RecursionError:
        return Outcome("traceback", traceback.format_exc(limit=-8))
    except Exception:  # noqa: BLE001 - any other exception is what the fuzzer looks for
        return Outcome("traceback", traceback.format_exc(limit=-12))
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
    return Outcome("ok")


def run_case(case: Case, *, limit: float = 10.0, folder: Path | None = None) -> Outcome:
    """Write the mutant to a file in ``folder`` (a fresh temporary one if None) and run it."""
    if folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            return run_case(case, limit=limit, folder=Path(tmp))
    path = folder / f"mutant{case.suffix}"
    path.write_bytes(case.text.encode("utf-8", "surrogatepass"))
    return run_file(path, case.kind, limit=limit)


def kind_of(path: Path) -> str:
    """The kind of a saved case from its name (``...-deu.tsv``, ``...-ktab.csv``, ...)."""
    stem = path.stem
    for kind in ("deu", "ktab", "bdm"):
        if stem.endswith("-" + kind):
            return kind
    return "yaml"
