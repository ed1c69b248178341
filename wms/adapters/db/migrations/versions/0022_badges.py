"""People sign in by scanning a badge: a hash of each user's badge code

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import wms.adapters.db.types

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('badge_hash', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch_op.add_column(sa.Column('badge_issued_at', wms.adapters.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_user_account_badge_hash', ['badge_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_index('ix_user_account_badge_hash')
        batch_op.drop_column('badge_issued_at')
        batch_op.drop_column('badge_hash')
