"""The documentation's state table is the code's state table."""

from __future__ import annotations

from pathlib import Path

from servicecenter.repairs.states import TRANSITIONS

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def test_documented_transitions_match_the_table() -> None:
    rows = {line for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| `")}
    expected = {
        f"| `{s.value}` | `{t.value}` | {tr.action} | {', '.join(sorted(r.value for r in tr.roles))} | "
        f"{', '.join(tr.fields) or '—'} |"
        for (s, t), tr in TRANSITIONS.items()
    }
    assert rows == expected
