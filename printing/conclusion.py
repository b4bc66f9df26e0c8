"""Техническое заключение (technical conclusion), A4: for a refused or unrepairable unit."""

from __future__ import annotations

from reportlab.platypus import Flowable

from printing.a4 import (
    build_pdf,
    customer_rows,
    fields_table,
    order_document_heading,
    section,
    signatures,
    unit_rows,
)
from printing.documents import ConclusionDoc


def render_conclusion(doc: ConclusionDoc) -> bytes:
    """The technical conclusion as A4 PDF: claimed fault, findings, conclusion, signatures."""
    title = f"Техническое заключение № {doc.number}"
    story: list[Flowable] = [
        *order_document_heading(doc.center, title, doc.issued, doc.order_number, doc.order_date),
        fields_table(customer_rows(doc.customer) + unit_rows(doc.unit)),
    ]
    story += section("Заявленная неисправность", doc.fault)
    story += section("Результаты диагностики", doc.findings)
    story += section("Заключение", doc.conclusion)
    if doc.recommendations.strip():
        story += section("Рекомендации", doc.recommendations)
    signers = [("Инженер", doc.engineer)]
    if doc.approved_by:
        signers.append(("Руководитель сервисного центра", doc.approved_by))
    signers.append(("С заключением ознакомлен. Заказчик", doc.customer.name))
    story += signatures(signers)
    return build_pdf(story, title=title, footer=title)
