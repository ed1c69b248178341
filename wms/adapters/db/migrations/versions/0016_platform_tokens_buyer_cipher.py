"""A shop's refresh token and when its access token runs out (抖店 tokens last 7 days); a platform
order's encrypted buyer fields, kept as the platform sent them (for its e-waybill and decryption)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wms.adapters.db.types

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refresh_token', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('token_expires_at', wms.adapters.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_cipher', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('buyer_cipher')
    with op.batch_alter_table('platform', schema=None) as batch_op:
        batch_op.drop_column('token_expires_at')
        batch_op.drop_column('refresh_token')
