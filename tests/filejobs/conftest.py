"""A shipment of units from one center to another, and the file store the app and the jobs share."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicecenter.accounts.roles import Role
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.shipments.services import add_scanned, create_shipment
from servicecenter.stock import journal
from servicecenter.stock.models import MoveReason

UNITS = 20


def warehouse(center: ServiceCenter) -> Location:
    return next(loc for loc in center.locations if loc.kind == LocationKind.WAREHOUSE and loc.is_main)


def shipment_of_units(session, factory, a: ServiceCenter, b: ServiceCenter, clerk, units: int):  # noqa: ANN001, ANN201
    """A shipment from a's warehouse to b's with `units` units (each an order of a) scanned in."""
    orders = []
    for _ in range(units):
        order = factory.order(a)
        if order.unit.location_id != warehouse(a).id:
            journal.move_unit(session, None, order.unit, warehouse(a), MoveReason.INTAKE)
        orders.append(order)
    shipment = create_shipment(session, clerk, origin=warehouse(a), destination=warehouse(b))
    for order in orders:
        add_scanned(session, clerk, shipment, order.number)
    session.flush()
    return shipment, orders


@pytest.fixture
def exports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The instance directory the app (make_settings) uses; the job reads the same from the environment."""
    monkeypatch.setenv("SERVICECENTER_INSTANCE", str(tmp_path / "instance"))
    return tmp_path / "instance" / "exports"


@pytest.fixture
def net(session, factory):  # noqa: ANN001, ANN201
    a, b = factory.center("BLA"), factory.center("BLB")
    partner = factory.center("BLP", kind=CenterKind.PARTNER)
    clerk = factory.user(a, Role.LOGISTICS, email="log@bla.test")
    clerk.locale = "en"
    shipment, orders = shipment_of_units(session, factory, a, b, clerk, UNITS)
    return {
        "a": a, "b": b, "clerk": clerk, "shipment": shipment, "orders": orders,
        "colleague": factory.user(a, Role.WAREHOUSE, email="wh@bla.test"),
        "other": factory.user(b, Role.LOGISTICS, email="log@blb.test"),
        "partner": factory.user(partner, Role.PARTNER, email="p@blp.test"),
        "empty": create_shipment(session, clerk, origin=warehouse(a), destination=warehouse(b)),
    }
