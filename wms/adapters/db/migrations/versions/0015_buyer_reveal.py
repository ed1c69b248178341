"""Who asked to see a platform's masked buyer in the clear, for which scene and why (OAID decryption log)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wms.adapters.db.types

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('buyer_reveal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('scene', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('fields', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('answered_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('buyer_reveal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_buyer_reveal_order_no'), ['order_no'], unique=False)
        batch_op.create_index(batch_op.f('ix_buyer_reveal_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('buyer_reveal')
