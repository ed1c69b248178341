"""api_token.expires_at / refreshed_at (tokens expire, station agents refresh); login_failure
(sign-ins are locked after repeated failures)

Tokens issued before this revision get one default lifetime (12 h) from the upgrade, so the
stations already running keep working for a shift and their agents can refresh in that time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

from wms.adapters.db.types import UTCDateTime, utcnow

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LEGACY_LIFETIME = timedelta(hours=12)


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('refreshed_at', UTCDateTime(timezone=True), nullable=True))
    tokens = sa.table('api_token', sa.column('expires_at', UTCDateTime(timezone=True)),
                      sa.column('revoked_at', UTCDateTime(timezone=True)))
    op.execute(tokens.update().where(tokens.c.revoked_at.is_(None))
               .values(expires_at=utcnow() + LEGACY_LIFETIME))
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_login_failure_username'), 'login_failure', ['username'], unique=False)
    op.create_index(op.f('ix_login_failure_address'), 'login_failure', ['address'], unique=False)
    op.create_index(op.f('ix_login_failure_at'), 'login_failure', ['at'], unique=False)


def downgrade() -> None:
    op.drop_table('login_failure')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('refreshed_at')
        batch_op.drop_column('expires_at')
