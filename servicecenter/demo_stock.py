"""The demo's spare parts and stock: a parts catalogue per product category, parts received from a
supplier into each own center's warehouse and some of them put away on its shelves — all through
the warehouse's own operations, so the journal and the stock levels agree (`servicecenter stock-check`)."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicecenter.accounts.models import User
from servicecenter.catalog.models import ProductModel
from servicecenter.centers.models import CenterKind, Location, LocationKind, ServiceCenter
from servicecenter.stock import warehouse
from servicecenter.stock.models import Part
from servicecenter.stock.places import main_warehouse

# category -> (sku, barcode (EAN-13), name, unit cost, price)
PARTS: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "Стиральные машины": (("WM-PUMP-01", "4600000000017", "Насос сливной универсальный", "950", "1900"),
                          ("WM-BELT-1270", "4600000000024", "Ремень приводной 1270 J5", "420", "890"),
                          ("WM-HEAT-1950", "4600000000031", "ТЭН 1950 Вт", "1100", "2300")),
    "Холодильники": (("FR-THERM-01", "4600000000048", "Термостат механический", "700", "1500"),
                     ("FR-FAN-12", "4600000000055", "Вентилятор no frost 12 В", "850", "1750")),
    "Смартфоны": (("PH-USBC-01", "4600000000062", "Разъём зарядки USB-C, модуль", "380", "1200"),
                  ("PH-BAT-5000", "4600000000079", "Аккумулятор 5000 мА·ч", "1300", "2900")),
    "Кофемашины": (("CF-PUMP-15", "4600000000086", "Помпа вибрационная 15 бар", "1600", "3200"),),
    "Пылесосы": (("VC-MOTOR-01", "4600000000093", "Двигатель пылесоса 1600 Вт", "2100", "4200"),),
}


def load_demo_stock(session: Session, rng: random.Random, clerks: dict[str, User]) -> int:
    """Parts, shelves and stock for the demo's own centers (`clerks`: center code -> its warehouse
    clerk). Returns how many parts the catalogue has."""
    models = list(session.scalars(select(ProductModel)))
    parts: list[Part] = []
    for category, rows in PARTS.items():
        fitting = [m for m in models if m.category == category]
        for sku, barcode, name, cost, price in rows:
            part = Part(sku=sku, barcode=barcode, name=name, unit_cost=Decimal(cost), price=Decimal(price))
            part.compatible_models.extend(fitting)
            session.add(part)
            parts.append(part)
    session.flush()
    centers = session.scalars(select(ServiceCenter).where(ServiceCenter.kind == CenterKind.OWN,
                                                          ServiceCenter.code.in_(list(clerks))))
    for center in centers:
        clerk = clerks[center.code]
        main = main_warehouse(session, center.id)
        if main is None:
            continue
        shelves = [loc for loc in session.scalars(select(Location).where(
            Location.parent_id == main.id, Location.kind == LocationKind.SHELF).order_by(Location.code))]
        for part in parts:
            quantity = rng.randint(2, 12)
            warehouse.receive_parts(session, clerk, center.id, part, quantity, note="Поставка для демонстрации")
            if shelves:
                warehouse.put_away(session, clerk, center.id, rng.choice(shelves), part=part,
                                   quantity=rng.randint(1, quantity))
    return len(parts)
