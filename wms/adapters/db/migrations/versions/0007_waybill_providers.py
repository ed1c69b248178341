"""Carriers whose numbers come from an e-waybill service (cp_code, customer code); the request
key (object_id) and the session of each number a provider gave; voided parcels

`carrier.provider` / `provider_account` and `waybill_issue` came with 0004; this revision adds
what wiring them into packing needs. Existing rows keep working: a carrier without the new
columns is a pool carrier, a parcel without them is not voided.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from wms.adapters.db.types import UTCDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _text(n: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def upgrade() -> None:
    with op.batch_alter_table('carrier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_cp_code', _text(20), nullable=True))
        batch_op.add_column(sa.Column('provider_customer_code', _text(60), nullable=True))
    with op.batch_alter_table('waybill_issue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('object_id', _text(80), nullable=True))
        batch_op.add_column(sa.Column('cp_code', _text(20), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cancel_error', _text(500), nullable=True))
        batch_op.create_index(batch_op.f('ix_waybill_issue_object_id'), ['object_id'], unique=False)
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voided_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voided_by', _text(80), nullable=True))
        batch_op.add_column(sa.Column('void_reason', _text(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.drop_column('void_reason')
        batch_op.drop_column('voided_by')
        batch_op.drop_column('voided_at')
    with op.batch_alter_table('waybill_issue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waybill_issue_object_id'))
        batch_op.drop_column('cancel_error')
        batch_op.drop_column('session_id')
        batch_op.drop_column('cp_code')
        batch_op.drop_column('object_id')
    with op.batch_alter_table('carrier', schema=None) as batch_op:
        batch_op.drop_column('provider_customer_code')
        batch_op.drop_column('provider_cp_code')
