"""Orders, their lines, status history and notes (both append-only)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Numeric
from sqlmodel import Field, SQLModel

from wms.adapters.db.tables._fields import created_at, money, optional_time


class OrderRow(SQLModel, table=True):
    __tablename__ = "orders"
    id: int | None = Field(default=None, primary_key=True)
    order_no: str = Field(unique=True, max_length=64)
    channel: str = Field(default="api", max_length=20)
    shop: str | None = Field(default=None, max_length=64, index=True)
    order_type: str = Field(default="normal", max_length=20)  # normal presale cod
    status: str = Field(default="received", max_length=20, index=True)
    hold_reason: str | None = Field(default=None, max_length=500)
    recipient_name: str = Field(default="", max_length=100)
    recipient_phone: str = Field(default="", max_length=40, index=True)
    province: str = Field(default="", max_length=40)
    city: str = Field(default="", max_length=40)
    district: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)
    # The platform's Open Addressee ID: the buyer is kept masked as given, and shipped and printed by this.
    oaid: str | None = Field(default=None, max_length=128, index=True)
    # The platform's encrypted buyer fields as sent (抖店 encrypt_post_receiver ...): for its
    # e-waybill and its decryption, never read by us.
    buyer_cipher: dict[str, str] | None = Field(default=None, sa_type=JSON, nullable=True)
    # The platform's trade number (tid) of an order an ERP sent under its own number (奇门
    # deliveryOrderCode): the e-waybill is asked with it and the OAID.
    trade_no: str | None = Field(default=None, max_length=64)
    cod_amount: Decimal = money()
    paid_amount: Decimal | None = Field(default=None, sa_type=Numeric(12, 2), nullable=True)  # 实付: what gift rules read
    carrier: str | None = Field(default=None, max_length=20)
    merge_group: str | None = Field(default=None, max_length=64, index=True)
    split_from: str | None = Field(default=None, max_length=64, index=True)  # 拆单: the order this back-order came from
    merge_consent: bool = False
    remark: str | None = Field(default=None, max_length=500)
    buyer_message: str | None = Field(default=None, max_length=1000)  # 买家留言
    seller_memo: str | None = Field(default=None, max_length=1000)  # 卖家备注
    seller_flag: str | None = Field(default=None, max_length=10)  # the memo's flag colour: red yellow green blue purple
    warehouse_note: str | None = Field(default=None, max_length=1000)  # 给仓库: customer service's notes for the packer
    waybill_no: str | None = Field(default=None, max_length=40)  # a number the sender (an ERP) took already
    paid_at: datetime | None = optional_time()
    ship_by: datetime | None = optional_time(index=True)  # promised ship-by time (发货时效)
    created_at: datetime = created_at()


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_line"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    sku: str = Field(max_length=64)
    qty: int
    picked: int = 0
    packed: int = 0
    gift_qty: int = 0  # how many of qty are gifts (赠品): shipped and weighed, never reported as sold


class OrderEvent(SQLModel, table=True):
    """A status transition: who, when, why."""

    __tablename__ = "order_event"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    at: datetime = created_at()
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    actor: str = Field(max_length=80)
    reason: str | None = Field(default=None, max_length=500)


class OrderNote(SQLModel, table=True):
    """备注: appended by anyone, never edited."""

    __tablename__ = "order_note"
    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    at: datetime = created_at()
    author: str = Field(max_length=80)
    text: str = Field(max_length=2000)


class GiftRuleRow(SQLModel, table=True):
    """A gift rule (赠品策略, wms.domain.gifts.GiftRule) as the lead set it; stopped, never deleted,
    so an order's note can always name the rule that gave its gift."""

    __tablename__ = "gift_rule"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    gift_sku: str = Field(max_length=64)
    gift_qty: int
    sku: str | None = Field(default=None, max_length=64)
    min_qty: int = 1
    min_amount: Decimal | None = Field(default=None, sa_type=Numeric(12, 2), nullable=True)
    shop: str | None = Field(default=None, max_length=64)
    starts_at: datetime | None = optional_time()
    ends_at: datetime | None = optional_time()
    repeat: bool = False
    active: bool = Field(default=True, index=True)
    created_by: str = Field(default="", max_length=80)
    created_at: datetime = created_at()
