"""Master data and stock receipts (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from wms.api.deps import Caller
from wms.api.schemas import ReceiptIn, SkuIn
from wms.http import UowDep
from wms.services.stock import catalog, ledger, moves

router = APIRouter(tags=["master data"])


@router.post("/skus", status_code=201)
def create_sku(body: SkuIn, uow: UowDep, who: Caller) -> dict:
    """Create a SKU with its barcodes and weight (grams) and tolerance; or, with `components`, a
    combo (组合装) whose parts replace it in every order (its weight is theirs)."""
    row = catalog.create_sku(uow, body.model_dump())
    uow.commit()
    return {"sku": row.sku, "name": row.name, "unit_weight_g": row.unit_weight_g,
            "weight_tolerance_g": row.weight_tolerance_g, "barcodes": body.barcodes,
            "components": [{"sku": s, "qty": q} for s, q in catalog.combo_parts(uow, {row.sku}).get(row.sku, [])]}


@router.get("/skus/{sku}")
def get_sku(sku: str, uow: UowDep, who: Caller) -> dict:
    """One SKU with its stock by bin."""
    row = catalog.get_sku(uow, sku)
    bins = [{"bin": b.code, "on_hand": s.on_hand, "reserved": s.reserved}
            for b, s in ledger.available_by_bin(uow, sku)]
    return {"sku": row.sku, "name": row.name, "unit_weight_g": row.unit_weight_g,
            "weight_tolerance_g": row.weight_tolerance_g, "category": row.category, "bins": bins,
            "components": [{"sku": s, "qty": q} for s, q in catalog.combo_parts(uow, {row.sku}).get(row.sku, [])]}


@router.post("/stock/receipts", status_code=201)
def receive_stock(body: ReceiptIn, uow: UowDep, who: Caller) -> dict:
    """Put received units away (supervisor): into the bin given, else the suggested one (the bin
    already holding the most of the SKU, else the first empty one); the ledger records it."""
    answer = moves.receive(uow, body.sku, body.qty, body.bin, who.name)
    uow.commit()
    return answer


@router.get("/stock")
def stock_levels(uow: UowDep, who: Caller, sku: list[str] | None = Query(default=None)) -> list[dict]:
    """On hand, reserved and available per SKU; `?sku=A&sku=B` for only those (an unknown SKU: none)."""
    return ledger.sku_levels(uow, {s.strip() for s in sku} if sku else None)
