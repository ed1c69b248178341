"""index the station's recent wrong scans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pack_scan', schema=None) as batch_op:
        batch_op.create_index('ix_pack_scan_station_outcome_at', ['station', 'outcome', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pack_scan', schema=None) as batch_op:
        batch_op.drop_index('ix_pack_scan_station_outcome_at')
