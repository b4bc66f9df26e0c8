"""the order-number prefix index carries created_at and id (issue 10)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 02:10:00

The call center's search by a number prefix shows the newest 50 of up to 1,000 matches. With the
sort's columns in the index the page is found by an index-only scan; before, every match's row was
read for its created_at (and joined to its customer): 200 ms from a cold cache at 1,000,000 orders.
PostgreSQL only, as the index itself (0004).
"""
from __future__ import annotations

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    op.drop_index("ix_repair_orders_number_prefix", table_name="repair_orders")
    op.create_index("ix_repair_orders_number_prefix", "repair_orders", ["number"],
                    postgresql_ops={"number": "varchar_pattern_ops"}, postgresql_include=["created_at", "id"])


def downgrade() -> None:
    if not _postgresql():
        return
    op.drop_index("ix_repair_orders_number_prefix", table_name="repair_orders")
    op.create_index("ix_repair_orders_number_prefix", "repair_orders", ["number"],
                    postgresql_ops={"number": "varchar_pattern_ops"})
