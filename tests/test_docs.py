"""docs/api.md runs: its Python blocks execute in order in one namespace, as notebook cells,
in a scratch folder. Their asserts state what the page claims (a what-if changes the number
it names and nothing else, values lie within their scale, the repr is short, the crisis
shares and the impasse sum to one)."""

from __future__ import annotations

from pathlib import Path

API = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def _python_blocks(text: str) -> list[str]:
    blocks, current, fence = [], [], None
    for line in text.splitlines():
        if fence is None and line.startswith("```"):
            fence, current = line[3:].strip(), []
        elif fence is not None and line.startswith("```"):
            if fence == "python":
                blocks.append("\n".join(current) + "\n")
            fence = None
        elif fence is not None:
            current.append(line)
    return blocks


def test_api_session_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    blocks = _python_blocks(API.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    namespace: dict = {"__name__": "docs_api"}
    for k, block in enumerate(blocks):
        code = compile(block, f"docs/api.md block {k + 1}", "exec")
        exec(code, namespace)  # noqa: S102 - the documentation's own examples
    out = capsys.readouterr().out
    assert "issues.dalian.saliences.stalin: got 1.5; expected a salience between 0 and 1" in out
    assert "Forecast('moscow-1949', issues=6, models=[eum, compromise], runs=40, seed=7)" in out
