"""Reference (b): the scan lookup in a bare Flask + psycopg app — no ORM, no login, no session.

It answers the same URL the same way as the real app (302 to the order page, 404 when there
is no such order) after the same query as reference (a), so under the same gunicorn settings
and load it shows the most any Flask app on this machine can reach for this request.

    BENCH_DATABASE_URL=postgresql://... gunicorn -w 3 bench.bare_app:app
"""

from __future__ import annotations

import os

import psycopg
from flask import Flask, abort, redirect, request
from werkzeug.wrappers import Response

SCAN_SQL = """SELECT o.number, o.state, o.center_id, c.name, c.phone, u.serial, u.model_id, s.code, s.name
FROM repair_orders o JOIN customers c ON c.id = o.customer_id JOIN service_centers s ON s.id = o.center_id
LEFT JOIN units u ON u.id = o.unit_id WHERE o.number = %s"""
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/servicecenter_bench"

app = Flask(__name__)
_conn: psycopg.Connection | None = None


def connection() -> psycopg.Connection:
    """One connection per worker process (a sync worker serves one request at a time)."""
    global _conn
    if _conn is None or _conn.closed:
        url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL).replace("postgresql+psycopg://", "postgresql://")
        _conn = psycopg.connect(url, autocommit=True)
    return _conn


@app.get("/orders/")
def find() -> Response:
    number = (request.args.get("number") or "").strip().upper()
    row = connection().execute(SCAN_SQL, (number,)).fetchone()
    if row is None:
        abort(404)
    return redirect(f"/orders/{row[0]}")
