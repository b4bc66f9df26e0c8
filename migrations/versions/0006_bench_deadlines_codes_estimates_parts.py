"""the bench (issue 4): deadline rules and calendar days, pauses; diagnosis codes, checklists, swapped
parts; labour price list, estimates and their lines; part requests; engineer and ready-at indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 18:10:00

Open orders received before this revision have no due dates: `servicecenter init-db` computes them
after upgrading (servicecenter.deadlines.recompute.backfill; safe to run again).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import servicecenter.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checklist_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_items'))
    )
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_items_category'), ['category'], unique=False)

    op.create_table('diagnosis_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('symptom', 'cause', 'action', name='codekind', native_enum=False, length=32), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_diagnosis_codes')),
    sa.UniqueConstraint('category', 'kind', 'code', name=op.f('uq_diagnosis_codes_category_kind_code'))
    )
    with op.batch_alter_table('diagnosis_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diagnosis_codes_category'), ['category'], unique=False)

    op.create_table('labour_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=80), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('vat_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price >= 0', name=op.f('ck_labour_items_non_negative_price')),
    sa.CheckConstraint('vat_rate >= 0 AND vat_rate < 100', name=op.f('ck_labour_items_sane_vat_rate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labour_items')),
    sa.UniqueConstraint('code', name=op.f('uq_labour_items_code'))
    )
    with op.batch_alter_table('labour_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_labour_items_category'), ['category'], unique=False)

    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['center_id'], ['service_centers.id'], name=op.f('fk_calendar_days_center_id_service_centers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days'))
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_days_center_id_day', ['center_id', 'day'], unique=False)

    op.create_table('deadline_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('manufacturer_id', sa.Integer(), nullable=True),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('applies_to', sa.Enum('any', 'warranty', 'paid', name='appliesto', native_enum=False, length=32), nullable=False),
    sa.Column('diagnosis_days', sa.Integer(), nullable=False),
    sa.Column('diagnosis_unit', sa.Enum('calendar', 'business', name='dayunit', native_enum=False, length=32), nullable=False),
    sa.Column('repair_days', sa.Integer(), nullable=False),
    sa.Column('repair_unit', sa.Enum('calendar', 'business', name='dayunit', native_enum=False, length=32), nullable=False),
    sa.Column('margin_hours', sa.Integer(), nullable=False),
    sa.Column('pause_on_approval', sa.Boolean(), nullable=False),
    sa.Column('pause_in_transit', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('diagnosis_days BETWEEN 1 AND 365', name=op.f('ck_deadline_rules_diagnosis_days_range')),
    sa.CheckConstraint('manufacturer_id IS NULL OR contract_id IS NULL', name=op.f('ck_deadline_rules_one_override')),
    sa.CheckConstraint('margin_hours >= 0', name=op.f('ck_deadline_rules_margin_not_negative')),
    sa.CheckConstraint('repair_days BETWEEN 1 AND 365', name=op.f('ck_deadline_rules_repair_days_range')),
    sa.ForeignKeyConstraint(['center_id'], ['service_centers.id'], name=op.f('fk_deadline_rules_center_id_service_centers')),
    sa.ForeignKeyConstraint(['contract_id'], ['service_contracts.id'], name=op.f('fk_deadline_rules_contract_id_service_contracts')),
    sa.ForeignKeyConstraint(['manufacturer_id'], ['manufacturers.id'], name=op.f('fk_deadline_rules_manufacturer_id_manufacturers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_rules'))
    )
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.create_index('ix_deadline_rules_center_id_active', ['center_id', 'active'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_rules_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadline_rules_manufacturer_id'), ['manufacturer_id'], unique=False)

    op.create_table('checklist_ticks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_items.id'], name=op.f('fk_checklist_ticks_item_id_checklist_items')),
    sa.ForeignKeyConstraint(['order_id'], ['repair_orders.id'], name=op.f('fk_checklist_ticks_order_id_repair_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checklist_ticks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_ticks')),
    sa.UniqueConstraint('order_id', 'item_id', name=op.f('uq_checklist_ticks_order_id_item_id'))
    )
    with op.batch_alter_table('checklist_ticks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_ticks_order_id'), ['order_id'], unique=False)

    op.create_table('estimates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'sent', 'approved', 'declined', 'superseded', name='estimatestate', native_enum=False, length=32), nullable=False),
    sa.Column('net', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('vat', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('gross', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', servicecenter.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', servicecenter.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_via', sa.String(length=20), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_estimates_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_estimates_decided_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['repair_orders.id'], name=op.f('fk_estimates_order_id_repair_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimates')),
    sa.UniqueConstraint('order_id', 'version', name=op.f('uq_estimates_order_id_version'))
    )
    with op.batch_alter_table('estimates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimates_order_id'), ['order_id'], unique=False)

    op.create_table('order_diagnoses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('symptom_id', sa.Integer(), nullable=False),
    sa.Column('cause_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['diagnosis_codes.id'], name=op.f('fk_order_diagnoses_action_id_diagnosis_codes')),
    sa.ForeignKeyConstraint(['cause_id'], ['diagnosis_codes.id'], name=op.f('fk_order_diagnoses_cause_id_diagnosis_codes')),
    sa.ForeignKeyConstraint(['order_id'], ['repair_orders.id'], name=op.f('fk_order_diagnoses_order_id_repair_orders')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_order_diagnoses_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['symptom_id'], ['diagnosis_codes.id'], name=op.f('fk_order_diagnoses_symptom_id_diagnosis_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_diagnoses')),
    sa.UniqueConstraint('order_id', name=op.f('uq_order_diagnoses_order_id'))
    )
    with op.batch_alter_table('order_diagnoses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_diagnoses_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_diagnoses_cause_id'), ['cause_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_diagnoses_symptom_id'), ['symptom_id'], unique=False)

    op.create_table('part_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('center_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'fulfilled', 'cancelled', name='partrequeststate', native_enum=False, length=32), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', servicecenter.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_part_requests_positive_quantity')),
    sa.ForeignKeyConstraint(['center_id'], ['service_centers.id'], name=op.f('fk_part_requests_center_id_service_centers')),
    sa.ForeignKeyConstraint(['order_id'], ['repair_orders.id'], name=op.f('fk_part_requests_order_id_repair_orders')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_part_requests_part_id_parts')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_part_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_requests'))
    )
    with op.batch_alter_table('part_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_requests_center_id'), ['center_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_requests_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_requests_part_id'), ['part_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_part_requests_state'), ['state'], unique=False)

    op.create_table('part_swaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('part_name', sa.String(length=120), nullable=False),
    sa.Column('old_unit_id', sa.Integer(), nullable=False),
    sa.Column('new_unit_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', servicecenter.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['new_unit_id'], ['units.id'], name=op.f('fk_part_swaps_new_unit_id_units')),
    sa.ForeignKeyConstraint(['old_unit_id'], ['units.id'], name=op.f('fk_part_swaps_old_unit_id_units')),
    sa.ForeignKeyConstraint(['order_id'], ['repair_orders.id'], name=op.f('fk_part_swaps_order_id_repair_orders')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_part_swaps_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_part_swaps_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_swaps'))
    )
    with op.batch_alter_table('part_swaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_swaps_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_part_swaps_unit_id', ['unit_id'], unique=False)

    op.create_table('estimate_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('estimate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('part', 'labour', 'free', name='linekind', native_enum=False, length=32), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=True),
    sa.Column('labour_item_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('vat_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('net', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('vat', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('gross', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_estimate_lines_positive_quantity')),
    sa.CheckConstraint('unit_price >= 0', name=op.f('ck_estimate_lines_non_negative_price')),
    sa.ForeignKeyConstraint(['estimate_id'], ['estimates.id'], name=op.f('fk_estimate_lines_estimate_id_estimates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['labour_item_id'], ['labour_items.id'], name=op.f('fk_estimate_lines_labour_item_id_labour_items')),
    sa.ForeignKeyConstraint(['part_id'], ['parts.id'], name=op.f('fk_estimate_lines_part_id_parts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_estimate_lines'))
    )
    with op.batch_alter_table('estimate_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimate_lines_estimate_id'), ['estimate_id'], unique=False)

    with op.batch_alter_table('repair_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_paused_at', servicecenter.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_pause_reason', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('deadline_paused_seconds', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('approval_required', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_index(batch_op.f('ix_repair_orders_center_id_due_at'))
        batch_op.create_index('ix_repair_orders_center_id_due_at', ['center_id', 'due_at', 'state'], unique=False)
        batch_op.create_index('ix_repair_orders_center_id_ready_at', ['center_id', 'ready_at'], unique=False)
        batch_op.create_index('ix_repair_orders_engineer_id_state', ['engineer_id', 'state'], unique=False)
        batch_op.create_index('ix_repair_orders_unassigned_received', ['center_id', 'due_at', 'created_at', 'id'], unique=False, postgresql_where=sa.text("state = 'received' AND engineer_id IS NULL"), sqlite_where=sa.text("state = 'received' AND engineer_id IS NULL"))



def downgrade() -> None:
    with op.batch_alter_table('repair_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_repair_orders_unassigned_received', postgresql_where=sa.text("state = 'received' AND engineer_id IS NULL"), sqlite_where=sa.text("state = 'received' AND engineer_id IS NULL"))
        batch_op.drop_index('ix_repair_orders_engineer_id_state')
        batch_op.drop_index('ix_repair_orders_center_id_ready_at')
        batch_op.drop_index('ix_repair_orders_center_id_due_at')
        batch_op.create_index(batch_op.f('ix_repair_orders_center_id_due_at'), ['center_id', 'due_at'], unique=False)
        batch_op.drop_column('approval_required')
        batch_op.drop_column('deadline_paused_seconds')
        batch_op.drop_column('deadline_pause_reason')
        batch_op.drop_column('deadline_paused_at')

    with op.batch_alter_table('estimate_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimate_lines_estimate_id'))

    op.drop_table('estimate_lines')
    with op.batch_alter_table('part_swaps', schema=None) as batch_op:
        batch_op.drop_index('ix_part_swaps_unit_id')
        batch_op.drop_index(batch_op.f('ix_part_swaps_order_id'))

    op.drop_table('part_swaps')
    with op.batch_alter_table('part_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_requests_state'))
        batch_op.drop_index(batch_op.f('ix_part_requests_part_id'))
        batch_op.drop_index(batch_op.f('ix_part_requests_order_id'))
        batch_op.drop_index(batch_op.f('ix_part_requests_center_id'))

    op.drop_table('part_requests')
    with op.batch_alter_table('order_diagnoses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_diagnoses_symptom_id'))
        batch_op.drop_index(batch_op.f('ix_order_diagnoses_cause_id'))
        batch_op.drop_index(batch_op.f('ix_order_diagnoses_action_id'))

    op.drop_table('order_diagnoses')
    with op.batch_alter_table('estimates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimates_order_id'))

    op.drop_table('estimates')
    with op.batch_alter_table('checklist_ticks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_ticks_order_id'))

    op.drop_table('checklist_ticks')
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_rules_manufacturer_id'))
        batch_op.drop_index(batch_op.f('ix_deadline_rules_contract_id'))
        batch_op.drop_index('ix_deadline_rules_center_id_active')

    op.drop_table('deadline_rules')
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_days_center_id_day')

    op.drop_table('calendar_days')
    with op.batch_alter_table('labour_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_labour_items_category'))

    op.drop_table('labour_items')
    with op.batch_alter_table('diagnosis_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diagnosis_codes_category'))

    op.drop_table('diagnosis_codes')
    with op.batch_alter_table('checklist_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_items_category'))

    op.drop_table('checklist_items')
