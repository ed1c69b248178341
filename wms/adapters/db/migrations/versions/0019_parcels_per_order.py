"""Several parcels per order (一单多包): a pack session closed with what was scanned, what each
parcel holds, and which SKU each platform sub-order is (for split-shipment uploads)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pack_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partial', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('items', sa.JSON(), nullable=True))
    with op.batch_alter_table('platform_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('line_skus', sa.JSON(), nullable=False, server_default='{}'))


def downgrade() -> None:
    with op.batch_alter_table('platform_order', schema=None) as batch_op:
        batch_op.drop_column('line_skus')
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.drop_column('items')
    with op.batch_alter_table('pack_session', schema=None) as batch_op:
        batch_op.drop_column('partial')
