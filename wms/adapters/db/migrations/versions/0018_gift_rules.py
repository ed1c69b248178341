"""Gift rules (赠品策略), the gift units of an order line, and what the buyer paid

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wms.adapters.db.types

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def _text(n: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    op.create_table('gift_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', _text(80), nullable=False),
    sa.Column('gift_sku', _text(64), nullable=False),
    sa.Column('gift_qty', sa.Integer(), nullable=False),
    sa.Column('sku', _text(64), nullable=True),
    sa.Column('min_qty', sa.Integer(), nullable=False),
    sa.Column('min_amount', sa.Numeric(12, 2), nullable=True),
    sa.Column('shop', _text(64), nullable=True),
    sa.Column('starts_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ends_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('repeat', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', _text(80), nullable=False),
    sa.Column('created_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('gift_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gift_rule_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_gift_rule_created_at'), ['created_at'], unique=False)
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gift_qty', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_amount', sa.Numeric(12, 2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('paid_amount')
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_column('gift_qty')
    op.drop_table('gift_rule')
