"""Shipping what is there (拆单): a back-order names the order it was split from, and a shop may
have its stock-short orders split by themselves

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split_from', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_split_from'), ['split_from'], unique=False)
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ship_available', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.drop_column('ship_available')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_split_from'))
        batch_op.drop_column('split_from')
