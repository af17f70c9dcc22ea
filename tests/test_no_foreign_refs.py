"""The repository stands alone: no file names the reference library, a private folder or a tracker.

A user who clones the project has neither the developers' reference library nor their issue
tracker, and no one else's home or work folder. Every citation must therefore be a published
work or a file of the project (``docs/specs/...``, ``docs/history/...``, ``tests/data/...``).
System paths such as ``/usr/bin/chromium`` are fine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve()

#: What is checked: the package (bundled scenarios included), docs, tests, benchmarks and the
#: build files. tests/data holds third-party data copied as published, so it is left out.
CHECKED = ["src", "docs", "tests", "benchmarks", ".ci", "README.md", "pyproject.toml", "Makefile"]
SKIP_PARTS = {"data", "__pycache__", ".pytest_cache"}
TEXT = {".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".j2", ".css", ".html", ".cfg", ".ini", ""}

FORBIDDEN = {
    "the reference library": re.compile(r"\.\./shared|[\w.-]*shared/(?=[\w.-])|\bshared/\s"),
    "a private folder": re.compile(r"(?<![\w.])(?:/home/|/work/|/tmp/|/root/|~/)"),
    "a tracker reference": re.compile(r"\bissue\s*#?\d", re.IGNORECASE),
}


def _files() -> list[Path]:
    out: list[Path] = []
    for name in CHECKED:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for f in candidates:
            rel = f.relative_to(ROOT).parts
            if not f.is_file() or f.resolve() == HERE or f.suffix not in TEXT:
                continue
            if SKIP_PARTS.intersection(rel[1:-1]) and rel[:2] != ("src", "realpolitik"):
                continue
            if ".egg-info" in f.as_posix():
                continue
            out.append(f)
    return out


def test_the_check_sees_the_tree():
    names = {f.relative_to(ROOT).as_posix() for f in _files()}
    assert {"README.md", "Makefile", "pyproject.toml"} <= names
    assert "src/realpolitik/scenarios/moscow-1949.yaml" in names
    assert any(n.startswith("docs/") for n in names)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("see ../shared/specs/eum.md", "the reference library"),
        ("read /work/shared/data/x.csv", "the reference library"),
        ("written to /tmp/out.json", "a private folder"),
        ("# Issue 7 §2", "a tracker reference"),
        ("fixed in issue #12", "a tracker reference"),
    ],
)
def test_the_patterns_catch_what_they_must(text, what):
    assert FORBIDDEN[what].search(text)


@pytest.mark.parametrize(
    "text", ["/usr/bin/chromium", "two shared cores", "each issue model", "issues 3 to 5"]
)
def test_the_patterns_spare_what_is_fine(text):
    assert not any(p.search(text) for p in FORBIDDEN.values())


def test_no_file_names_the_reference_library_a_private_folder_or_a_tracker():
    found = []
    for f in _files():
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for what, pattern in FORBIDDEN.items():
                if pattern.search(line):
                    found.append(f"{f.relative_to(ROOT)}:{n}: {what}: {line.strip()[:100]}")
    assert not found, "\n".join(found)
