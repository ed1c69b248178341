"""Combos (组合商品) an ERP synchronises: each combo's component SKUs and quantities

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'combo_component',
        sa.Column('combo', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('qty', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['sku'], ['sku.sku']),
        sa.PrimaryKeyConstraint('combo', 'sku'),
    )


def downgrade() -> None:
    op.drop_table('combo_component')
