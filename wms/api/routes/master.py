"""Master data and stock receipts (admin)."""

from __future__ import annotations

from fastapi import APIRouter

from wms.api.deps import Caller
from wms.api.schemas import ReceiptIn, SkuIn
from wms.http import UowDep
from wms.services.orders import intake
from wms.services.stock import catalog, ledger

router = APIRouter(tags=["master data"])


@router.post("/skus", status_code=201)
def create_sku(body: SkuIn, uow: UowDep, who: Caller) -> dict:
    """Create a SKU with its barcodes and weight (grams) and tolerance."""
    row = catalog.create_sku(uow, body.model_dump())
    uow.commit()
    return {"sku": row.sku, "name": row.name, "unit_weight_g": row.unit_weight_g,
            "weight_tolerance_g": row.weight_tolerance_g, "barcodes": body.barcodes}


@router.get("/skus/{sku}")
def get_sku(sku: str, uow: UowDep, who: Caller) -> dict:
    """One SKU with its stock by bin."""
    row = catalog.get_sku(uow, sku)
    bins = [{"bin": b.code, "on_hand": s.on_hand, "reserved": s.reserved}
            for b, s in ledger.available_by_bin(uow, sku)]
    return {"sku": row.sku, "name": row.name, "unit_weight_g": row.unit_weight_g,
            "weight_tolerance_g": row.weight_tolerance_g, "category": row.category, "bins": bins}


@router.post("/stock/receipts", status_code=201)
def receive_stock(body: ReceiptIn, uow: UowDep, who: Caller) -> dict:
    """Put received units away into a bin; the ledger records the receipt."""
    row = ledger.receive(uow, body.sku, body.bin, body.qty, who.name)
    on_hand, reserved = row.on_hand, row.reserved
    released = intake.retry_waiting_orders(uow, {body.sku}, who.name)
    uow.commit()
    return {"sku": body.sku, "bin": body.bin.upper(), "on_hand": on_hand, "reserved": reserved,
            "orders_released": released}


@router.get("/stock")
def stock_levels(uow: UowDep, who: Caller) -> list[dict]:
    """On hand, reserved and available per SKU."""
    return ledger.sku_levels(uow)
