"""Shipment numbers: SHP-CODE-YEAR-NNNNNN, per sending center and year, unique under concurrent clerks.

The same counter idiom as order numbers (`repairs/numbering.py`): the row per (center, year) is
created with ON CONFLICT DO NOTHING and bumped with one UPDATE ... RETURNING, which holds the row
lock to the end of the transaction. The number is printed as a Code 128 and is what a scan of
the shipment label reads; it never looks like an order number (four parts, not three).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date
from servicecenter.shipments.models import ShipmentCounter

PREFIX = "SHP"
SHIPMENT_NUMBER = re.compile(r"^SHP-[A-Z0-9]{1,8}-\d{4}-\d{6}$")


def format_shipment_number(center_code: str, year: int, seq: int) -> str:
    return f"{PREFIX}-{center_code}-{year}-{seq:06d}"


def next_shipment_number(session: Session, center: ServiceCenter, moment: datetime) -> str:
    """Take the next shipment number of the sending center's local year at `moment`."""
    year = local_date(moment, center.timezone).year
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(ShipmentCounter).values(center_id=center.id, year=year, last=0).on_conflict_do_nothing())
    seq = session.execute(
        update(ShipmentCounter)
        .where(ShipmentCounter.center_id == center.id, ShipmentCounter.year == year)
        .values(last=ShipmentCounter.last + 1)
        .returning(ShipmentCounter.last),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    return format_shipment_number(center.code, year, seq)
