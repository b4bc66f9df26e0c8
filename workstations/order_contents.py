"""The order page's sections ask here whether they have anything to read (one statement per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import g

from servicecenter.repairs.contents import OrderContents, order_contents
from servicecenter.repairs.models import RepairOrder
from workstations.web.dbsession import db

T = TypeVar("T")


def once_per_request(name: str, order: RepairOrder, read: Callable[[], T]) -> T:
    """`read()` once per request and order: the page's sections share what the first of them read
    (a page that changes the order redirects first)."""
    done = g.setdefault(name, {})
    if order.id not in done:
        done[order.id] = read()
    return done[order.id]


def order_has(order: RepairOrder) -> OrderContents:
    """What the order has."""
    return once_per_request("order_contents", order, lambda: order_contents(db(), order))
