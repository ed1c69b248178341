"""Shop platforms (订单同步), the orders seen on them, alerts for a lead, and the tracking outbox (发货回传)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, json_field, optional_time


class PlatformRow(SQLModel, table=True):
    """One shop account on one platform (or a courier's e-waybill account, kind `cainiao`)."""

    __tablename__ = "platform"
    name: str = Field(primary_key=True, max_length=40)
    kind: str = Field(max_length=20)  # taobao douyin file cainiao
    shop: str | None = Field(default=None, max_length=64)
    url: str = Field(default="", max_length=300)
    app_key: str | None = Field(default=None, max_length=100)
    app_secret: str | None = Field(default=None, max_length=200)
    access_token: str | None = Field(default=None, max_length=300)
    refresh_token: str | None = Field(default=None, max_length=300)  # 抖店: exchanged for a new access token
    token_expires_at: datetime | None = optional_time()  # when the access token stops working (None: unknown)
    upload_on: str = Field(default="handover", max_length=20)  # handover | packed | never
    ship_by_hours: int = 48  # the shop's promise when the platform gives no ship-by time
    ship_available: bool = False  # 缺货先发: an order short of stock ships what is there, the rest follows
    pull_interval_s: int = 300  # 0: not pulled by `wms serve`
    enabled: bool = True
    cursor: datetime | None = optional_time()  # everything modified before this has been taken in
    last_pull_at: datetime | None = optional_time()
    last_error: str | None = Field(default=None, max_length=500)
    last_error_code: str | None = Field(default=None, max_length=40)
    last_error_at: datetime | None = optional_time()
    created_at: datetime = created_at()


class PlatformOrder(SQLModel, table=True):
    """What we last saw of a platform order: the key that makes every pull idempotent."""

    __tablename__ = "platform_order"
    __table_args__ = (UniqueConstraint("platform", "platform_order_no", name="uq_platform_order"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(foreign_key="platform.name", max_length=40)
    platform_order_no: str = Field(max_length=64)
    order_no: str | None = Field(default=None, max_length=64, index=True)
    platform_status: str = Field(default="", max_length=40)
    modified: datetime | None = optional_time()
    fingerprint: str = Field(default="", max_length=64)  # recipient as last seen
    refund: bool = False  # a cancel or refund request is open
    sub_orders: list[str] = json_field(list)  # the platform's line ids (oid), for split shipments
    line_skus: dict[str, Any] = json_field(dict)  # line id (oid) -> {"sku", "qty"}: what a split parcel holds
    seen_at: datetime = created_at()


class PlatformAlert(SQLModel, table=True):
    """Something a person must act on: a change after packing, a platform that refuses us."""

    __tablename__ = "platform_alert"
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=40, index=True)
    order_no: str | None = Field(default=None, max_length=64, index=True)
    kind: str = Field(max_length=40)  # address_changed refund_requested closed upload_failed pull_failed
    message: str = Field(max_length=1000)
    resolved_by: str | None = Field(default=None, max_length=80)
    resolved_at: datetime | None = optional_time()
    created_at: datetime = created_at()


class OutboxColumns(SQLModel):
    """What a row of an outbox on the durable job queue (wms.services.job_queue) carries besides
    its message: queued -> sending -> sent | skipped | failed, its tries, its claim, its last error."""

    status: str = Field(default="queued", max_length=20, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = optional_time()
    last_error: str | None = Field(default=None, max_length=500)
    last_error_code: str | None = Field(default=None, max_length=40)
    claimed_by: str | None = Field(default=None, max_length=80)
    claimed_at: datetime | None = optional_time()
    sent_at: datetime | None = optional_time()
    created_at: datetime = created_at()


class TrackingUpload(OutboxColumns, table=True):
    """The outbox: queued -> sending -> sent | failed. One row per (order, tracking number)."""

    __tablename__ = "tracking_upload"
    __table_args__ = (UniqueConstraint("platform", "platform_order_no", "tracking_no", name="uq_tracking_upload"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(foreign_key="platform.name", max_length=40, index=True)
    platform_order_no: str = Field(max_length=64)
    order_no: str = Field(max_length=64, index=True)
    carrier: str = Field(max_length=20)
    tracking_no: str = Field(max_length=40)
    sub_orders: list[str] = json_field(list)  # empty: the whole order
    extra: dict[str, Any] = json_field()


class ErpMessage(OutboxColumns, table=True):
    """The ERP outbox, for 奇门 calls to an ERP other than a shipment's confirmation (which goes
    through `tracking_upload`): queued -> sending -> sent | failed, one row per (ERP, method, code)."""

    __tablename__ = "erp_message"
    __table_args__ = (UniqueConstraint("platform", "method", "code", name="uq_erp_message"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(foreign_key="platform.name", max_length=40, index=True)
    method: str = Field(max_length=60)  # entryorder.confirm ...
    code: str = Field(max_length=64)  # the ERP's document code (entryOrderCode ...)
    payload: dict[str, Any] = json_field()  # the <request> as fields


class EntryOrder(SQLModel, table=True):
    """An expected receipt an ERP announced, goods in (入库单) or a buyer's return (退货入库单,
    type THRK): what should arrive, what did, and when the warehouse closed it (then
    `entryorder.confirm` or `returnorder.confirm` goes back)."""

    __tablename__ = "entry_order"
    code: str = Field(primary_key=True, max_length=64)  # the ERP's entryOrderCode / returnOrderCode
    platform: str = Field(foreign_key="platform.name", max_length=40, index=True)
    order_type: str = Field(default="CGRK", max_length=20)  # 采购入库 ..., THRK for a return
    supplier: str | None = Field(default=None, max_length=100)
    source_order: str | None = Field(default=None, max_length=64)  # a return's shipment (preDeliveryOrderCode)
    carrier: str | None = Field(default=None, max_length=20)  # a return's logisticsCode
    tracking_no: str | None = Field(default=None, max_length=40, index=True)  # a return's expressCode
    status: str = Field(default="NEW", max_length=20)  # NEW, PARTFULFILLED, FULFILLED, CANCELED
    expected: dict[str, Any] = json_field()  # sku -> planned units
    received: dict[str, Any] = json_field()  # sku -> units received so far
    created_at: datetime = created_at()
    closed_at: datetime | None = optional_time()
    closed_by: str | None = Field(default=None, max_length=80)


class WaybillIssue(SQLModel, table=True):
    """A number a courier's e-waybill service gave us, with what the label prints (三段码, 集包地)."""

    __tablename__ = "waybill_issue"
    tracking_no: str = Field(primary_key=True, max_length=40)
    carrier: str = Field(max_length=20, index=True)
    account: str = Field(max_length=40)
    order_no: str = Field(max_length=64, index=True)
    sort_code: str | None = Field(default=None, max_length=60)
    bag_hub: str | None = Field(default=None, max_length=100)
    print_data: dict[str, Any] = json_field()
    status: str = Field(default="issued", max_length=20)  # issued used cancelling cancelled
    cancelled_at: datetime | None = optional_time()
    object_id: str | None = Field(default=None, max_length=80, index=True)  # the request key: same key, same number
    cp_code: str | None = Field(default=None, max_length=20)
    session_id: int | None = None  # the pack session it was asked for
    cancel_error: str | None = Field(default=None, max_length=500)  # why the last 回收 did not go through
    created_at: datetime = created_at()


class BuyerReveal(SQLModel, table=True):
    """One request to see a platform's masked buyer in the clear (OAID decryption): who asked,
    for which order, scene and reason, and what came of it. The plaintext itself is never kept."""

    __tablename__ = "buyer_reveal"
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(max_length=64, index=True)
    platform: str = Field(max_length=40)
    scene: str = Field(max_length=8)
    reason: str = Field(max_length=300)
    actor: str = Field(max_length=80)
    role: str = Field(max_length=20)
    outcome: str = Field(default="asked", max_length=20)  # asked shown refused failed
    fields: str = Field(default="", max_length=80)  # what was shown: name,mobile,...
    error: str | None = Field(default=None, max_length=500)
    answered_at: datetime | None = optional_time()
    created_at: datetime = created_at()
