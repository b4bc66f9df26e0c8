"""customer language (issue 7)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:14:28.478133

The language a customer's notifications are written in (ru or en); every existing customer keeps
Russian.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='ru', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('language')

