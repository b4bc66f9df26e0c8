"""planned maintenance and file jobs (issue 7)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 17:55:37.316151

Planned maintenance (регламентные работы): plans per unit, model (optionally one owner's) or service
contract, every N months or ahead of a date kept on the unit's card (unit_dates: licence, fiscal
drive, calibration), and one occurrence row per plan, unit and due date, so the periodic job makes
each order or reminder once. File jobs: bulk PDFs (a shipment's unit labels) rendered in the
background with their progress and an authorised download.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import servicecenter.db


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('file_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('shipment_unit_labels', name='filejobkind', native_enum=False, length=40), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='filejobstate', native_enum=False, length=32), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('download_name', sa.String(length=200), nullable=False),
    sa.Column('outbox_job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', servicecenter.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', servicecenter.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', servicecenter.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['center_id'], ['service_centers.id'], name=op.f('fk_file_jobs_center_id_service_centers')),
    sa.ForeignKeyConstraint(['outbox_job_id'], ['outbox_jobs.id'], name=op.f('fk_file_jobs_outbox_job_id_outbox_jobs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_file_jobs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_jobs')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_file_jobs_stored_name'))
    )
    with op.batch_alter_table('file_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_file_jobs_center_id'), ['center_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_file_jobs_requested_by_id'), ['requested_by_id'], unique=False)

    op.create_table('maintenance_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('work', sa.Text(), nullable=False),
    sa.Column('scope', sa.Enum('unit', 'model', 'contract', name='planscope', native_enum=False, length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('model_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('schedule', sa.Enum('every_months', 'before_date', name='schedule', native_enum=False, length=32), nullable=False),
    sa.Column('every_months', sa.Integer(), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('date_kind', sa.Enum('licence', 'fiscal_drive', 'calibration', 'other', name='datekind', native_enum=False, length=32), nullable=True),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('order', 'reminder', name='planaction', native_enum=False, length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('next_due_on', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['service_centers.id'], name=op.f('fk_maintenance_plans_center_id_service_centers')),
    sa.ForeignKeyConstraint(['contract_id'], ['service_contracts.id'], name=op.f('fk_maintenance_plans_contract_id_service_contracts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_maintenance_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['model_id'], ['product_models.id'], name=op.f('fk_maintenance_plans_model_id_product_models')),
    sa.ForeignKeyConstraint(['owner_id'], ['customers.id'], name=op.f('fk_maintenance_plans_owner_id_customers')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_maintenance_plans_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_plans'))
    )
    with op.batch_alter_table('maintenance_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_plans_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_plans_center_id'), ['center_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_plans_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_plans_model_id'), ['model_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_plans_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_plans_unit_id'), ['unit_id'], unique=False)

    op.create_table('unit_dates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('licence', 'fiscal_drive', 'calibration', 'other', name='datekind', native_enum=False, length=32), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('updated_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_dates_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_dates')),
    sa.UniqueConstraint('unit_id', 'kind', name=op.f('uq_unit_dates_unit_id_kind'))
    )
    with op.batch_alter_table('unit_dates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_dates_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_dates_unit_id'), ['unit_id'], unique=False)

    op.create_table('maintenance_occurrences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('action', sa.Enum('order', 'reminder', name='planaction', native_enum=False, length=32), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['repair_orders.id'], name=op.f('fk_maintenance_occurrences_order_id_repair_orders')),
    sa.ForeignKeyConstraint(['plan_id'], ['maintenance_plans.id'], name=op.f('fk_maintenance_occurrences_plan_id_maintenance_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_maintenance_occurrences_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_occurrences')),
    sa.UniqueConstraint('plan_id', 'unit_id', 'due_on', name=op.f('uq_maintenance_occurrences_plan_id_unit_id_due_on'))
    )
    with op.batch_alter_table('maintenance_occurrences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_occurrences_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_occurrences_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_occurrences_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_occurrences_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('maintenance_occurrences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_occurrences_unit_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_occurrences_plan_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_occurrences_order_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_occurrences_due_on'))

    op.drop_table('maintenance_occurrences')
    with op.batch_alter_table('unit_dates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_dates_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unit_dates_due_on'))

    op.drop_table('unit_dates')
    with op.batch_alter_table('maintenance_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_maintenance_plans_unit_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_plans_owner_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_plans_model_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_plans_contract_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_plans_center_id'))
        batch_op.drop_index(batch_op.f('ix_maintenance_plans_active'))

    op.drop_table('maintenance_plans')
    with op.batch_alter_table('file_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_jobs_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_file_jobs_center_id'))

    op.drop_table('file_jobs')
