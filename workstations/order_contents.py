"""The order page's sections ask here whether they have anything to read (one statement per request)."""

from __future__ import annotations

from flask import g

from servicecenter.repairs.contents import OrderContents, order_contents
from servicecenter.repairs.models import RepairOrder
from workstations.web.dbsession import db


def order_has(order: RepairOrder) -> OrderContents:
    """What the order has, read once per request (a page that changes the order redirects first)."""
    read = g.setdefault("order_contents", {})
    if order.id not in read:
        read[order.id] = order_contents(db(), order)
    return read[order.id]
