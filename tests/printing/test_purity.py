"""Printing is data in, bytes out: no database, no web framework, no clock, no network."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PRINTING = Path(__file__).resolve().parents[2] / "printing"
IMPURE_CALLS = {"now", "today", "utcnow", "time", "urlopen", "socket", "getenv"}


def test_importing_printing_loads_neither_the_app_nor_the_database() -> None:
    code = ("import sys, printing; bad = sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('servicecenter', 'workstations', 'flask', 'sqlalchemy', 'requests')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PRINTING.parent,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_printing_reads_no_clock_and_opens_no_connection() -> None:
    hits = []
    for path in sorted(PRINTING.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in IMPURE_CALLS:
                hits.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
    assert hits == []
