"""Every SQLModel table, imported so `SQLModel.metadata` is complete for Alembic."""

from wms.adapters.db.tables.aftersales import AfterSalesCase, CaseLine, ReturnItem, ReturnReceipt
from wms.adapters.db.tables.auth import ApiToken, LoginFailure, UserAccount
from wms.adapters.db.tables.master import (
    BinRow,
    Carrier,
    ComboComponent,
    PackagingRow,
    Printer,
    SkuBarcode,
    SkuRow,
    SkuWeightEstimate,
    Station,
    Warehouse,
)
from wms.adapters.db.tables.orders import GiftRuleRow, OrderEvent, OrderLine, OrderNote, OrderRow
from wms.adapters.db.tables.packing import Override, PackScan, PackSessionRow, Parcel, Weighing
from wms.adapters.db.tables.picking import PickTask, Wave
from wms.adapters.db.tables.platforms import (
    BuyerReveal,
    EntryOrder,
    ErpMessage,
    PlatformAlert,
    PlatformOrder,
    PlatformRow,
    TrackingUpload,
    WaybillIssue,
)
from wms.adapters.db.tables.printing import PrintJob
from wms.adapters.db.tables.shipping import (
    CarrierRate,
    CourierBill,
    CourierBillLine,
    Handover,
    TrackingNumber,
    TrackingPool,
)
from wms.adapters.db.tables.stock import LedgerEntry, Reservation, StockRow

__all__ = [
    "AfterSalesCase", "ApiToken", "BinRow", "Carrier", "CaseLine", "ComboComponent", "Handover", "LedgerEntry", "LoginFailure",
    "GiftRuleRow", "OrderEvent", "OrderLine", "OrderNote", "OrderRow", "Override", "PackScan", "PackSessionRow",
    "PackagingRow", "Parcel", "PickTask", "PrintJob", "Printer", "Reservation", "ReturnItem",
    "ReturnReceipt", "SkuBarcode", "SkuRow", "SkuWeightEstimate", "Station", "StockRow",
    "TrackingNumber", "TrackingPool", "UserAccount", "Warehouse", "Wave", "Weighing",
    "PlatformAlert", "PlatformOrder", "PlatformRow", "TrackingUpload", "WaybillIssue", "EntryOrder", "ErpMessage",
    "BuyerReveal", "CarrierRate", "CourierBill", "CourierBillLine",
]
