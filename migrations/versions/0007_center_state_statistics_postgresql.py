"""planner statistics on (center_id, state) of repair orders, PostgreSQL

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:00:00

Most of a network's million orders are finished, but one center can hold a 50,000-order open
backlog. Without statistics on the pair, PostgreSQL multiplies the two columns' frequencies and
expects ~4,900 open orders at that center instead of ~48,000, and pages deep into the team lead's
queue by reading the whole center through a bitmap scan and sorting it (page 100: 290 ms). With
an MCV list over (center_id, state) the estimate is right and the (center_id, due_at) index is
walked in order (9 ms). ANALYZE here makes it hold from the first request after the deploy (about
1 s on the bench's 1,000,000 orders). SQLite gets nothing: it has no such statistics.
"""
from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    op.execute("CREATE STATISTICS IF NOT EXISTS st_repair_orders_center_state (mcv, dependencies) "
               "ON center_id, state FROM repair_orders")
    op.execute("ANALYZE repair_orders")


def downgrade() -> None:
    if not _postgresql():
        return
    op.execute("DROP STATISTICS IF EXISTS st_repair_orders_center_state")
