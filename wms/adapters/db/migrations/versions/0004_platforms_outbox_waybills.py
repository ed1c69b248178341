"""shop platforms, platform orders, alerts, tracking-upload outbox, e-waybill numbers; carrier provider

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from wms.adapters.db.types import UTCDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _text(n: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=n)


def _time(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        'platform',
        sa.Column('name', _text(40), nullable=False),
        sa.Column('kind', _text(20), nullable=False),
        sa.Column('shop', _text(64), nullable=True),
        sa.Column('url', _text(300), nullable=False),
        sa.Column('app_key', _text(100), nullable=True),
        sa.Column('app_secret', _text(200), nullable=True),
        sa.Column('access_token', _text(300), nullable=True),
        sa.Column('upload_on', _text(20), nullable=False),
        sa.Column('ship_by_hours', sa.Integer(), nullable=False),
        sa.Column('pull_interval_s', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        _time('cursor'), _time('last_pull_at'),
        sa.Column('last_error', _text(500), nullable=True),
        sa.Column('last_error_code', _text(40), nullable=True),
        _time('last_error_at'), _time('created_at', False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_index(op.f('ix_platform_created_at'), 'platform', ['created_at'], unique=False)
    op.create_table(
        'platform_order',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', _text(40), nullable=False),
        sa.Column('platform_order_no', _text(64), nullable=False),
        sa.Column('order_no', _text(64), nullable=True),
        sa.Column('platform_status', _text(40), nullable=False),
        _time('modified'),
        sa.Column('fingerprint', _text(64), nullable=False),
        sa.Column('refund', sa.Boolean(), nullable=False),
        sa.Column('sub_orders', sa.JSON(), nullable=False),
        _time('seen_at', False),
        sa.ForeignKeyConstraint(['platform'], ['platform.name']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('platform', 'platform_order_no', name='uq_platform_order'),
    )
    op.create_index(op.f('ix_platform_order_order_no'), 'platform_order', ['order_no'], unique=False)
    op.create_index(op.f('ix_platform_order_seen_at'), 'platform_order', ['seen_at'], unique=False)
    op.create_table(
        'platform_alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', _text(40), nullable=False),
        sa.Column('order_no', _text(64), nullable=True),
        sa.Column('kind', _text(40), nullable=False),
        sa.Column('message', _text(1000), nullable=False),
        sa.Column('resolved_by', _text(80), nullable=True),
        _time('resolved_at'), _time('created_at', False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_platform_alert_platform'), 'platform_alert', ['platform'], unique=False)
    op.create_index(op.f('ix_platform_alert_order_no'), 'platform_alert', ['order_no'], unique=False)
    op.create_index(op.f('ix_platform_alert_created_at'), 'platform_alert', ['created_at'], unique=False)
    op.create_table(
        'tracking_upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform', _text(40), nullable=False),
        sa.Column('platform_order_no', _text(64), nullable=False),
        sa.Column('order_no', _text(64), nullable=False),
        sa.Column('carrier', _text(20), nullable=False),
        sa.Column('tracking_no', _text(40), nullable=False),
        sa.Column('sub_orders', sa.JSON(), nullable=False),
        sa.Column('extra', sa.JSON(), nullable=False),
        sa.Column('status', _text(20), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        _time('next_attempt_at'),
        sa.Column('last_error', _text(500), nullable=True),
        sa.Column('last_error_code', _text(40), nullable=True),
        sa.Column('claimed_by', _text(80), nullable=True),
        _time('claimed_at'), _time('sent_at'), _time('created_at', False),
        sa.ForeignKeyConstraint(['platform'], ['platform.name']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('platform', 'platform_order_no', 'tracking_no', name='uq_tracking_upload'),
    )
    op.create_index(op.f('ix_tracking_upload_platform'), 'tracking_upload', ['platform'], unique=False)
    op.create_index(op.f('ix_tracking_upload_order_no'), 'tracking_upload', ['order_no'], unique=False)
    op.create_index(op.f('ix_tracking_upload_status'), 'tracking_upload', ['status'], unique=False)
    op.create_index(op.f('ix_tracking_upload_created_at'), 'tracking_upload', ['created_at'], unique=False)
    op.create_table(
        'waybill_issue',
        sa.Column('tracking_no', _text(40), nullable=False),
        sa.Column('carrier', _text(20), nullable=False),
        sa.Column('account', _text(40), nullable=False),
        sa.Column('order_no', _text(64), nullable=False),
        sa.Column('sort_code', _text(60), nullable=True),
        sa.Column('bag_hub', _text(100), nullable=True),
        sa.Column('print_data', sa.JSON(), nullable=False),
        sa.Column('status', _text(20), nullable=False),
        _time('cancelled_at'), _time('created_at', False),
        sa.PrimaryKeyConstraint('tracking_no'),
    )
    op.create_index(op.f('ix_waybill_issue_carrier'), 'waybill_issue', ['carrier'], unique=False)
    op.create_index(op.f('ix_waybill_issue_order_no'), 'waybill_issue', ['order_no'], unique=False)
    op.create_index(op.f('ix_waybill_issue_created_at'), 'waybill_issue', ['created_at'], unique=False)
    with op.batch_alter_table('carrier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider', _text(20), nullable=False, server_default='pool'))
        batch_op.add_column(sa.Column('provider_account', _text(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('carrier', schema=None) as batch_op:
        batch_op.drop_column('provider_account')
        batch_op.drop_column('provider')
    for table in ('waybill_issue', 'tracking_upload', 'platform_alert', 'platform_order', 'platform'):
        op.drop_table(table)
