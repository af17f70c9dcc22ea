"""Docs that run: the README's commands and its scenario example are executed here.

Every `realpolitik ...` line of the README's shell blocks runs in a scratch folder, in order
(a later command may read what an earlier one wrote). Runs are cut to keep the suite fast
(`--runs N` above 20 becomes 20, the berlin-1948 forecast's 1,000 runs become 2, a
sensitivity analysis takes 16 base samples); commands that
need a cluster (`dask://`) or a file the README leaves to the reader (`my-deu.tsv`,
`big.yaml`) are skipped. The scenario example is saved under the name the README gives it,
and the error message the README shows is checked to the letter.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from realpolitik.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang: str) -> list[str]:
    """The README's fenced code blocks of language ``lang`` ("" for a plain fence)."""
    blocks, current, fence = [], [], None
    for line in README.read_text().splitlines():
        if fence is None and line.startswith("```"):
            fence = line[3:].strip()
            current = []
        elif fence is not None and line.startswith("```"):
            if fence == lang:
                blocks.append("\n".join(current) + "\n")
            fence = None
        elif fence is not None:
            current.append(line)
    return blocks


def _commands() -> list[list[str]]:
    out = []
    for block in _blocks("sh"):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("realpolitik "):
                out.append(shlex.split(line)[1:])
    return out


def _shortened(args: list[str]) -> list[str]:
    args = list(args)
    if "--runs" in args:
        k = args.index("--runs") + 1
        args[k] = str(min(int(args[k]), 20))
    if args[:2] == ["forecast", "berlin-1948"] and "--runs" not in args:
        args += ["--runs", "2"]
    if args[0] == "sensitivity" and "--samples" not in args:
        args += ["--samples", "16"]
    return args


NEEDS_OUTSIDE = ("dask://", "my-deu.tsv", "big.yaml")


def _example(tmp: Path) -> Path:
    (example,) = [b for b in _blocks("yaml") if "name: budget-2027" in b]
    path = tmp / "budget-2027.yaml"
    path.write_text(example)
    return path


def test_readme_commands_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REALPOLITIK_STORE", str(tmp_path / "runs.sqlite"))  # not the user's
    _example(tmp_path)
    commands = _commands()
    assert len(commands) >= 20, "the README's tour has lost its commands"
    ran = 0
    for args in commands:
        if any(word in a for a in args for word in NEEDS_OUTSIDE):
            continue
        code = main(_shortened(args))
        captured = capsys.readouterr()
        assert code == 0, (args, captured.err[-2000:])
        ran += 1
    assert ran >= 20


def test_readme_error_message_is_true(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = _example(tmp_path)
    path.write_text(path.read_text().replace("jr: 2.5", "jr: 3.5"))
    (shown,) = [b for b in _blocks("") if "budget-2027.yaml:" in b]
    assert main(["validate", "budget-2027.yaml"]) == 2
    assert capsys.readouterr().err.strip() == shown.strip()
