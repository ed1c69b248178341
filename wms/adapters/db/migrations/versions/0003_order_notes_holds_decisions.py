"""orders: shop, buyer message, seller memo + flag, ship-by; note acknowledgement; case decisions; delivery source

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from wms.adapters.db.types import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _text(n: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shop', _text(64), nullable=True))
        batch_op.add_column(sa.Column('buyer_message', _text(1000), nullable=True))
        batch_op.add_column(sa.Column('seller_memo', _text(1000), nullable=True))
        batch_op.add_column(sa.Column('seller_flag', _text(10), nullable=True))
        batch_op.add_column(sa.Column('ship_by', UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_shop'), ['shop'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_ship_by'), ['ship_by'], unique=False)
    with op.batch_alter_table('pack_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notes_ack_by', _text(80), nullable=True))
        batch_op.add_column(sa.Column('notes_ack_at', UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_source', _text(20), nullable=True))
    with op.batch_alter_table('after_sales_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision', _text(20), nullable=True))
        batch_op.add_column(sa.Column('decided_by', _text(80), nullable=True))
        batch_op.add_column(sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('after_sales_case', schema=None) as batch_op:
        for col in ('decided_at', 'decided_by', 'decision'):
            batch_op.drop_column(col)
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.drop_column('delivered_source')
    with op.batch_alter_table('pack_session', schema=None) as batch_op:
        batch_op.drop_column('notes_ack_at')
        batch_op.drop_column('notes_ack_by')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_ship_by'))
        batch_op.drop_index(batch_op.f('ix_orders_shop'))
        for col in ('ship_by', 'seller_flag', 'seller_memo', 'buyer_message', 'shop'):
            batch_op.drop_column(col)
