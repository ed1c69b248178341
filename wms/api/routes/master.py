"""Master data and stock receipts (admin)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from wms.api.deps import Caller
from wms.api.schemas import GiftRuleIn, ReceiptIn, SkuIn, SkuPatchIn
from wms.http import UowDep
from wms.services.orders import gifts
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


@router.patch("/skus/{sku}")
def patch_sku(sku: str, body: SkuPatchIn, uow: UowDep, who: Caller) -> dict:
    """Set or remove a SKU's product picture (shown beside its line at the pack station).
    422 invalid_image_url for anything but an http(s) address or a path on this service."""
    row = catalog.set_picture(uow, sku, body.image_url)
    uow.commit()
    return {"sku": row.sku, "name": row.name, "image_url": row.image_url}


@router.get("/skus/{sku}")
def get_sku(sku: str, uow: UowDep, who: Caller) -> dict:
    """One SKU with its stock by bin."""
    row = catalog.get_sku(uow, sku)
    bins = [{"bin": b.code, "on_hand": s.on_hand, "reserved": s.reserved}
            for b, s in ledger.available_by_bin(uow, sku)]
    return {"sku": row.sku, "name": row.name, "unit_weight_g": row.unit_weight_g,
            "weight_tolerance_g": row.weight_tolerance_g, "category": row.category, "bins": bins,
            "image_url": row.image_url, "barcode": catalog.first_barcodes(uow, {row.sku}).get(row.sku),
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


@router.post("/gift-rules", status_code=201)
def add_gift_rule(body: GiftRuleIn, uow: UowDep, who: Caller) -> dict:
    """A gift rule (赠品策略): orders arriving from now on that buy `sku` (at least `min_qty`), pay
    at least `min_amount`, in `shop`, paid between `starts_at` and `ends_at`, get `gift_qty` of
    `gift_sku` as a gift line (once, or per full `min_qty` / `min_amount` with `repeat`)."""
    row = gifts.add_rule(uow, body.model_dump(mode="json"), who.name)
    uow.commit()
    return gifts.rule_view(row)


@router.get("/gift-rules")
def list_gift_rules(uow: UowDep, who: Caller, stopped: bool = False) -> list[dict]:
    """The rules in force (`?stopped=true`: the stopped ones too)."""
    return gifts.list_rules(uow, include_stopped=stopped)


@router.delete("/gift-rules/{rule_id}")
def stop_gift_rule(rule_id: int, uow: UowDep, who: Caller) -> dict:
    """Stop a rule: it gives nothing from now on; orders that got its gift keep it."""
    row = gifts.stop_rule(uow, rule_id)
    uow.commit()
    return gifts.rule_view(row)
