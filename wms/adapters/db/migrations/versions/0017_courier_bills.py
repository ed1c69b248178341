"""Carriers' rate tables (首重 + 续重 per region) and couriers' bills (对账单) judged against our weighings

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wms.adapters.db.types

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _text(n: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    op.create_table('carrier_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier', _text(20), nullable=False),
    sa.Column('region', _text(40), nullable=False),
    sa.Column('first_g', sa.Integer(), nullable=False),
    sa.Column('first_fee', sa.Numeric(12, 2), nullable=False),
    sa.Column('step_g', sa.Integer(), nullable=False),
    sa.Column('step_fee', sa.Numeric(12, 2), nullable=False),
    sa.ForeignKeyConstraint(['carrier'], ['carrier.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('carrier', 'region', name='uq_carrier_rate')
    )
    op.create_table('courier_bill',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('carrier', _text(20), nullable=False),
    sa.Column('filename', _text(200), nullable=False),
    sa.Column('imported_by', _text(80), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('billed_total', sa.Numeric(12, 2), nullable=False),
    sa.Column('claim_total', sa.Numeric(12, 2), nullable=False),
    sa.Column('imported_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('courier_bill', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courier_bill_carrier'), ['carrier'], unique=False)
        batch_op.create_index(batch_op.f('ix_courier_bill_imported_at'), ['imported_at'], unique=False)
    op.create_table('courier_bill_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bill_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('tracking_no', _text(40), nullable=False),
    sa.Column('billed_g', sa.Integer(), nullable=False),
    sa.Column('billed_fee', sa.Numeric(12, 2), nullable=False),
    sa.Column('our_g', sa.Integer(), nullable=True),
    sa.Column('weighing_id', sa.Integer(), nullable=True),
    sa.Column('expected_fee', sa.Numeric(12, 2), nullable=True),
    sa.Column('verdict', _text(20), nullable=False),
    sa.Column('claim', sa.Numeric(12, 2), nullable=False),
    sa.ForeignKeyConstraint(['bill_id'], ['courier_bill.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('courier_bill_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courier_bill_line_bill_id'), ['bill_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courier_bill_line_tracking_no'), ['tracking_no'], unique=False)


def downgrade() -> None:
    op.drop_table('courier_bill_line')
    op.drop_table('courier_bill')
    op.drop_table('carrier_rate')
