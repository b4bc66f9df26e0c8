"""search indexes on PostgreSQL: trigram name/phone, order number prefix

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:00:00

Measured on the 1,000,000-order bench database (bench/README.md): a customer found by part of
a name or phone 2,123 -> ~1 ms, an order-number prefix 560 -> 3.9 ms. SQLite gets nothing: its
small databases are served by the plain indexes it has.
"""
from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_customers_name_trgm", "customers", ["name"], postgresql_using="gin",
                    postgresql_ops={"name": "gin_trgm_ops"})
    op.create_index("ix_customers_phone_trgm", "customers", ["phone"], postgresql_using="gin",
                    postgresql_ops={"phone": "gin_trgm_ops"})
    op.create_index("ix_repair_orders_number_prefix", "repair_orders", ["number"],
                    postgresql_ops={"number": "varchar_pattern_ops"})


def downgrade() -> None:
    if not _postgresql():
        return
    op.drop_index("ix_repair_orders_number_prefix", table_name="repair_orders")
    op.drop_index("ix_customers_phone_trgm", table_name="customers")
    op.drop_index("ix_customers_name_trgm", table_name="customers")
    # the extension stays: other objects may use it, and it costs nothing unused
