"""Expected receipts (入库单) and returns (退货入库单) an ERP announces, and the ERP outbox

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wms.adapters.db.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('entry_order',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('order_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('supplier', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('source_order', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('carrier', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('tracking_no', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('expected', sa.JSON(), nullable=False),
    sa.Column('received', sa.JSON(), nullable=False),
    sa.Column('created_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.ForeignKeyConstraint(['platform'], ['platform.name'], ),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('entry_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_order_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_order_platform'), ['platform'], unique=False)
        batch_op.create_index(batch_op.f('ix_entry_order_tracking_no'), ['tracking_no'], unique=False)

    op.create_table('erp_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('last_error_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('claimed_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform'], ['platform.name'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'method', 'code', name='uq_erp_message')
    )
    with op.batch_alter_table('erp_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erp_message_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_erp_message_platform'), ['platform'], unique=False)
        batch_op.create_index(batch_op.f('ix_erp_message_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('erp_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erp_message_status'))
        batch_op.drop_index(batch_op.f('ix_erp_message_platform'))
        batch_op.drop_index(batch_op.f('ix_erp_message_created_at'))

    op.drop_table('erp_message')
    with op.batch_alter_table('entry_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_order_tracking_no'))
        batch_op.drop_index(batch_op.f('ix_entry_order_platform'))
        batch_op.drop_index(batch_op.f('ix_entry_order_created_at'))

    op.drop_table('entry_order')
