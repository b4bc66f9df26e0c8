"""Order numbers: CODE-YEAR-NNNNNN, per center and year, unique under concurrent intakes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from servicecenter.centers.models import ServiceCenter
from servicecenter.clock import local_date
from servicecenter.repairs.models import OrderCounter


def format_number(center_code: str, year: int, seq: int) -> str:
    return f"{center_code}-{year}-{seq:06d}"


def next_order_number(session: Session, center: ServiceCenter, moment: datetime) -> str:
    """Take the next number of the center's year (the center's local year at `moment`).

    One INSERT ... ON CONFLICT DO UPDATE ... RETURNING creates the counter row at 1 or bumps it,
    and holds the row's lock until commit: two clerks registering at the same instant are
    serialised by the database, never handed the same number (one round trip; it was two).
    """
    year = local_date(moment, center.timezone).year
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    bump = (insert(OrderCounter).values(center_id=center.id, year=year, last=1)
            .on_conflict_do_update(index_elements=[OrderCounter.center_id, OrderCounter.year],
                                   set_={"last": OrderCounter.last + 1})
            .returning(OrderCounter.last))
    seq = session.execute(bump).scalar_one()
    return format_number(center.code, year, seq)
