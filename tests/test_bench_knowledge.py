"""The knowledge base bench (bench/knowledge.py) at 150 articles on SQLite, so it never rots. No time asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.knowledge import main

pytestmark = pytest.mark.slow


def test_the_knowledge_bench_runs_and_prints_its_figures(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--database-url", f"sqlite:///{tmp_path / 'kb.db'}", "--articles", "150", "--reps", "3"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| search as") or line.startswith("| HTTP")]
    assert len(rows) == 16
    assert all(cell.strip() for row in rows for cell in row.strip("|").split("|")[2:])
    # a second run on the same database refuses instead of doubling the data
    assert main(["--database-url", f"sqlite:///{tmp_path / 'kb.db'}", "--articles", "150", "--reps", "3"]) == 2
