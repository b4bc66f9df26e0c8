"""Stored XSS (issue 11): a payload in every free-text column of the database, then every page.

The demo network is loaded through the domain, then every text column that holds free text (names,
notes, faults, diagnoses, addresses, titles, bodies, comments, file names, history values…) is
overwritten in the database itself — past every input check, as an old import, a migration or a bug
might leave it — with an attribute-breaking payload. Every GET page of the workstations is then opened
as an administrator, a team lead and a partner: none may carry the payload as markup (only escaped),
and none may fail. The printed documents of a poisoned order must render and show the payload as text.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import Enum, String, Text, cast, literal, select, text

from servicecenter.db import Base
from servicecenter.demo import DEMO_PASSWORD, load_demo
from servicecenter.repairs.models import RepairOrder
from servicecenter.shipments.models import Shipment
from tests.factories import login
from tests.workstations.test_access import _routes, _sample_url

PAYLOAD = "\"'><svg/onload=x>"
RAW = re.compile(r"<svg/onload=x>", re.I)
ESCAPED = "&lt;svg/onload=x&gt;"
# Columns the app parses or keys on, each checked where it is typed in (a serial, a code, an e-mail, a
# phone, a time zone, a state, a file's stored name…): a payload cannot be entered there at all.
STRUCTURAL = re.compile(
    r"(^|_)(code|sku|barcode|serial|number|email|phone|hash|secret|prefix|key|timezone|locale|language|"
    r"label_profile|label_qr|stored_name|content_type|period|payment_method|answered_via|channel|"
    r"deadline_pause_reason|weight_kg|remote_addr|scope|source_key|recipient_key|message_id|search_text|"
    r"url|tax_id|idempotency_key|request_hash)$")
SKIP_TABLES = {"outbox_jobs", "periodic_runs", "throttle_hits", "login_attempts", "user_sessions",
               "api_tokens", "api_idempotency_keys", "notifications", "webhook_attempts"}


def _poison(session) -> list[str]:  # noqa: ANN001
    """Every free-text column of every row: the payload and the row's id (unique columns stay unique)."""
    poisoned = []
    for table in Base.metadata.sorted_tables:
        if table.name in SKIP_TABLES or "id" not in table.c:
            continue
        for column in table.columns:
            kind = column.type
            if not isinstance(kind, String | Text) or isinstance(kind, Enum) or STRUCTURAL.search(column.name):
                continue
            if getattr(kind, "length", None) is not None and kind.length < len(PAYLOAD) + 8:
                continue
            session.execute(table.update().values({column: literal(PAYLOAD, String) + cast(table.c.id, String)}))
            poisoned.append(f"{table.name}.{column.name}")
    session.flush()
    session.expire_all()
    return poisoned


@pytest.fixture
def poisoned(session) -> dict:  # noqa: ANN001
    load_demo(session)
    session.flush()
    columns = _poison(session)
    order = session.scalar(select(RepairOrder).order_by(RepairOrder.id))
    partner_order = session.scalar(select(RepairOrder).join(RepairOrder.center)
                                   .where(text("service_centers.kind = 'partner'")).order_by(RepairOrder.id))
    shipment = session.scalar(select(Shipment.number).order_by(Shipment.id))
    emails = dict(session.execute(text("SELECT role, min(email) FROM users WHERE active GROUP BY role")).all())
    return {"columns": columns, "order": order.number, "partner_order": partner_order.number,
            "shipment": shipment, "emails": emails}


def test_no_page_carries_a_stored_payload_as_markup(app, poisoned) -> None:  # noqa: ANN001
    assert len(poisoned["columns"]) >= 60, poisoned["columns"]
    pages, shown, found, failed = 0, 0, [], []
    for role in ("admin", "team_lead", "partner"):
        client = app.test_client()  # a browser of its own per user
        email = poisoned["emails"][role]
        assert login(client, email, DEMO_PASSWORD).status_code == 302
        number = poisoned["partner_order"] if role == "partner" else poisoned["order"]
        for rule in _routes(app):
            if "GET" not in rule.methods or rule.endpoint.startswith(("api.", "auth.logout")) or \
                    rule.endpoint in ("auth.login",):
                continue
            url = _sample_url(rule, {"number": number, "id": 1, "shipment": poisoned["shipment"]})
            response = client.get(url)
            pages += 1
            if response.status_code >= 500:
                failed.append((role, url, response.status_code))
            if response.mimetype == "text/html":
                body = response.get_data(as_text=True)
                shown += ESCAPED in body
                if RAW.search(body):
                    found.append((role, url))
    print(f"\nstored xss: {len(poisoned['columns'])} columns poisoned, {pages} pages opened, "
          f"{shown} showing a payload (escaped)")
    assert failed == []
    assert found == []
    assert shown >= pages // 4  # the sweep did meet the poison: on every page that lists or shows records


def test_printed_documents_show_the_payload_as_text(client, poisoned, tmp_path) -> None:  # noqa: ANN001
    assert login(client, poisoned["emails"]["admin"], DEMO_PASSWORD).status_code == 302
    number = poisoned["order"]
    for path in (f"/orders/{number}/work-order.pdf", f"/orders/{number}/label.pdf"):
        response = client.get(path)
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), path
        pdf = tmp_path / "doc.pdf"
        pdf.write_bytes(response.data)
        extracted = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        if "work-order" in path:  # the customer's name and the fault, as typed: the payload as characters
            assert "<svg/onload=x>" in extracted.replace("\n", "")


def test_the_poisoned_columns_cover_the_free_text_the_users_type(poisoned) -> None:  # noqa: ANN001
    """The sweep is only as good as its columns: the free text typed at each workstation is among them."""
    must = {"customers.name", "customers.address", "customers.notes", "repair_orders.fault", "repair_orders.condition",
            "repair_orders.diagnosis", "repair_orders.outcome_note", "repair_orders.cancel_reason",
            "units.notes", "work_logs.description", "estimate_lines.description", "knowledge_articles.title",
            "knowledge_articles.body", "attachments.original_name", "users.name", "service_centers.name",
            "shipments.note", "repair_events.to_value", "parts.name", "product_models.name", "manufacturers.name"}
    assert must <= set(poisoned["columns"]), must - set(poisoned["columns"])
