"""The demo's partner work: rate cards agreed with the partners and the manufacturers (so the demo's
finished warranty repairs land on priced statements and claims), and orders of the Moscow center
routed to the Kazan partner at each stage of the journey — one waiting for logistics, one on its way,
one received and being diagnosed — all through the real operations, so every list shows something."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.accounts.roles import Role
from servicecenter.catalog.models import Manufacturer
from servicecenter.centers.models import CenterKind, ServiceCenter
from servicecenter.equipment.models import Unit
from servicecenter.repairs.models import RepairOrder
from servicecenter.repairs.routing import route_to_center
from servicecenter.repairs.services import apply_transition
from servicecenter.repairs.states import RepairState
from servicecenter.settlements.rates import create_rate_card
from servicecenter.shipments.dispatch import dispatch_shipment
from servicecenter.shipments.receiving import receive_scanned
from servicecenter.shipments.services import add_scanned, create_shipment, find_open_line
from servicecenter.stock.places import main_warehouse

# Partner code → (labour basis, per-category labour or the hourly rate, travel, parts basis, VAT %).
_PARTNER_CARDS = {
    "KZN": ("per_repair", [("", "1500"), ("Стиральные машины", "1800"), ("Холодильники", "2100")], "0", "300",
            "cost", "0"),  # a partner on the simplified tax system: no VAT
    "EKB": ("per_repair", [("", "1300"), ("Кофемашины", "1600")], "0", "0", "list", "20"),
}


def load_demo_rate_cards(session: Session, admin: User, year: int) -> int:
    """The partners' and the manufacturers' rate cards, valid from the first of January."""
    since = date(year, 1, 1)
    made = 0
    for code, (basis, lines, hourly, travel, parts, vat) in _PARTNER_CARDS.items():
        center = session.scalar(select(ServiceCenter).where(ServiceCenter.code == code,
                                                           ServiceCenter.kind == CenterKind.PARTNER))
        if center is not None:
            create_rate_card(session, admin, kind="partner", center_id=center.id, valid_from=since,
                             labour_basis=basis, lines=lines, hourly_rate=hourly, travel_allowance=travel,
                             parts_basis=parts, vat_rate=vat, note="Договор на гарантийное обслуживание")
            made += 1
    for manufacturer in session.scalars(select(Manufacturer).order_by(Manufacturer.name)):
        create_rate_card(session, admin, kind="manufacturer", manufacturer_id=manufacturer.id, valid_from=since,
                         lines=[("", "1200"), ("Смартфоны", "900")], parts_basis="list", vat_rate="20",
                         note="Сервисный договор с производителем")
        made += 1
    return made


def _user(session: Session, center: ServiceCenter, role: Role) -> User:
    return session.scalars(select(User).where(User.center_id == center.id, User.role == role)
                           .order_by(User.id)).first()


def load_demo_partners(session: Session, source_code: str = "MSK", partner_code: str = "KZN") -> int:
    """Route up to three of the source center's orders to the partner; returns how many were routed."""
    source = session.scalar(select(ServiceCenter).where(ServiceCenter.code == source_code))
    partner = session.scalar(select(ServiceCenter).where(ServiceCenter.code == partner_code))
    if source is None or partner is None or not partner.brands:
        return 0
    lead, logistics = _user(session, source, Role.TEAM_LEAD), _user(session, source, Role.LOGISTICS)
    receiver = _user(session, partner, Role.PARTNER_MANAGER) or _user(session, partner, Role.PARTNER)
    brands = [b.id for b in partner.brands]
    candidates = [o for o in session.scalars(
        select(RepairOrder).join(Unit, Unit.id == RepairOrder.unit_id)
        .where(RepairOrder.center_id == source.id, RepairOrder.state == RepairState.RECEIVED,
               Unit.manufacturer_id.in_(brands))
        .order_by(RepairOrder.received_at.desc()).limit(20))
        if o.unit is not None and o.unit.location_id is not None and find_open_line(session, o.unit.id) is None][:3]
    if not candidates or None in (lead, logistics, receiver):
        return 0
    for order in candidates:
        route_to_center(session, lead, order, partner)
    origin, destination = main_warehouse(session, source.id), main_warehouse(session, partner.id)
    # the first stays at the source, waiting for logistics; the others travel
    travelling = candidates[1:]
    if travelling:
        on_the_way = create_shipment(session, logistics, origin=origin, destination=destination,
                                     note="Ремонт у партнёра")
        add_scanned(session, logistics, on_the_way, travelling[0].unit.serial)
        dispatch_shipment(session, logistics, on_the_way, carrier="СДЭК", tracking="1098765432")
    if len(travelling) > 1:
        arrived = create_shipment(session, logistics, origin=origin, destination=destination)
        add_scanned(session, logistics, arrived, travelling[1].unit.serial)
        dispatch_shipment(session, logistics, arrived, carrier="Деловые линии", tracking="DL-20261120")
        receive_scanned(session, receiver, arrived, travelling[1].unit.serial)
        apply_transition(session, travelling[1], RepairState.DIAGNOSIS, receiver)
    session.flush()
    return len(candidates)
