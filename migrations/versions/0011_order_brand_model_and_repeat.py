"""the order's brand, model and repeat (issue 9)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:36:11.068465

The reports grouped a year of orders by brand, model and category through a join to a million
units, and found repeat repairs by searching each order's unit's past (turnaround and failures took
3-4 s over a year at 1,000,000 orders). The order now carries its unit's brand and model (copied
with the unit; a unit's model never changes) and, from its receipt, the order it repeats. Existing
rows are filled in here.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

REPEAT_DAYS = 90


def _backfill() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("UPDATE repair_orders o SET manufacturer_id = u.manufacturer_id, model_id = u.model_id "
                   "FROM units u WHERE u.id = o.unit_id")
        window = f"repair_orders.received_at - interval '{REPEAT_DAYS} days'"
    else:
        op.execute("UPDATE repair_orders SET "
                   "manufacturer_id = (SELECT u.manufacturer_id FROM units u WHERE u.id = repair_orders.unit_id), "
                   "model_id = (SELECT u.model_id FROM units u WHERE u.id = repair_orders.unit_id) "
                   "WHERE unit_id IS NOT NULL")
        window = f"strftime('%Y-%m-%d %H:%M:%f', repair_orders.received_at, '-{REPEAT_DAYS} days')"
    # The same rule as servicecenter/repairs/repeats.py: the unit's other order that became ready
    # most recently within the 90 days before this one was received.
    earlier = (f"FROM repair_orders e WHERE e.unit_id = repair_orders.unit_id AND e.id <> repair_orders.id "
               f"AND e.ready_at IS NOT NULL AND e.ready_at >= {window} AND e.ready_at < repair_orders.received_at")
    op.execute(f"UPDATE repair_orders SET repeat_of_id = (SELECT e.id {earlier} ORDER BY e.ready_at DESC, e.id DESC "
               f"LIMIT 1) WHERE received_at IS NOT NULL AND unit_id IS NOT NULL AND EXISTS (SELECT 1 {earlier})")


def upgrade() -> None:
    with op.batch_alter_table('repair_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('manufacturer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('model_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('repeat_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_repair_orders_model_id'), ['model_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_repair_orders_repeat_of_id_repair_orders'), 'repair_orders',
                                    ['repeat_of_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_repair_orders_model_id_product_models'), 'product_models',
                                    ['model_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_repair_orders_manufacturer_id_manufacturers'), 'manufacturers',
                                    ['manufacturer_id'], ['id'])
    # Filled in after the (on SQLite, rebuilt) table exists with its keys: a plain UPDATE.
    _backfill()


def downgrade() -> None:
    with op.batch_alter_table('repair_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_repair_orders_manufacturer_id_manufacturers'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_repair_orders_model_id_product_models'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_repair_orders_repeat_of_id_repair_orders'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_repair_orders_model_id'))
        batch_op.drop_column('repeat_of_id')
        batch_op.drop_column('model_id')
        batch_op.drop_column('manufacturer_id')
