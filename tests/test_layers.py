"""Dependencies point one way: workstations → servicecenter → printing (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ("flask", "flask_login", "flask_wtf", "flask_babel", "wtforms", "workstations", "werkzeug.wrappers")
COMPOSITION_ROOTS = {"servicecenter/app.py", "servicecenter/cli.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offending(package: str, forbidden: tuple[str, ...], exempt: set[str] = frozenset()) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in exempt:
            continue
        bad = [m for m in _imports(path) if any(m == f or m.startswith(f + ".") for f in forbidden)]
        if bad:
            found.append(f"{rel}: {', '.join(sorted(bad))}")
    return found


def test_domain_does_not_import_the_web_layer() -> None:
    assert _offending("servicecenter", WEB, COMPOSITION_ROOTS) == []


def test_printing_imports_neither_the_database_nor_the_app() -> None:
    assert _offending("printing", ("flask", "sqlalchemy", "servicecenter", "workstations")) == []


def test_domain_never_reads_the_logged_in_user() -> None:
    hits = [p.relative_to(ROOT).as_posix() for p in (ROOT / "servicecenter").rglob("*.py")
            if "current_user" in p.read_text(encoding="utf-8") and p.relative_to(ROOT).as_posix()
            not in COMPOSITION_ROOTS]
    assert hits == []


def test_services_and_views_never_commit() -> None:
    """One commit point per request, job or command: unit_of_work() and the request's after_request."""
    allowed = {"servicecenter/db.py", "workstations/web/dbsession.py"}
    hits = []
    for package in ("servicecenter", "workstations"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel not in allowed and ".commit()" in path.read_text(encoding="utf-8"):
                hits.append(rel)
    assert hits == []
