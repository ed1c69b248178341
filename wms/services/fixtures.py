"""Loading the demo warehouse (fixtures/) into a database: layout, SKUs, stock, orders, carriers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import BinRow, Carrier, PackagingRow, Printer, SkuRow, Station, Warehouse
from wms.adapters.db.uow import UnitOfWork
from wms.domain.layout import parse_layout
from wms.services.orders import intake
from wms.services.shipping import carriers
from wms.services.stock import catalog, ledger


def _read(directory: Path, name: str) -> Any:
    return json.loads((directory / name).read_text(encoding="utf-8"))


def load_layout(uow: UnitOfWork, layout_data: dict[str, Any]) -> Warehouse:
    """Validate a layout per the spec, then store it and its bins (once)."""
    layout = parse_layout(layout_data)
    wh = uow.session.exec(select(Warehouse).order_by(Warehouse.id)).first()  # type: ignore[arg-type]
    if wh is None:
        wh = Warehouse(code=layout_data.get("name", "main"), name=layout_data.get("name", "main"), layout=layout_data)
        uow.session.add(wh)
        uow.session.flush()
    else:
        wh.layout, wh.name = layout_data, layout_data.get("name", wh.name)
        uow.session.add(wh)
    known = set(uow.session.exec(select(BinRow.code).where(BinRow.warehouse_id == wh.id)).all())
    extra = {b.get("code"): b for b in layout_data.get("bins", [])}
    for b in layout.bins.values() if isinstance(layout.bins, dict) else layout.bins:
        if b.code in known:
            continue
        uow.session.add(BinRow(warehouse_id=wh.id, code=b.code, aisle=b.aisle, y=b.y, side=b.side,  # type: ignore[arg-type]
                               level=b.level, zone=extra.get(b.code, {}).get("zone")))
    uow.session.flush()
    return wh


def load_demo(uow: UnitOfWork, directory: Path, actor: str = "demo") -> dict[str, int]:
    """Load every fixture file; safe to run twice (existing rows are kept). Commits file by
    file (the services' commit rule, case 3)."""
    counts: dict[str, int] = {}
    load_layout(uow, _read(directory, "layout.json"))
    uow.commit()
    for p in _read(directory, "packaging.json"):
        if uow.session.get(PackagingRow, p["code"]) is None:
            uow.session.add(PackagingRow(**{k: p[k] for k in PackagingRow.model_fields if k in p}))
    for c in _read(directory, "carriers.json"):
        if uow.session.get(Carrier, c["code"]) is None:
            uow.session.add(Carrier(code=c["code"], name=c["name"], regions=c.get("regions", ["*"]),
                                    excluded_regions=c.get("excluded_regions", []), cod=c.get("cod", False),
                                    max_weight_g=c.get("max_weight_g", 0), is_default=c.get("default", False),
                                    is_fallback=c.get("fallback", False)))
            uow.session.flush()
            for pool in c.get("tracking_pools", []):
                carriers.add_pool(uow, c["code"], pool.get("prefix", ""), pool.get("suffix", ""),
                                  pool.get("digits", 12), pool["start"], pool["end"], pool.get("scheme", "plain"))
    for s in _read(directory, "stations.json"):
        printer = s.get("printer") or {}
        if printer and uow.session.get(Printer, printer["name"]) is None:
            uow.session.add(Printer(name=printer["name"], url=printer["url"], protocol=printer.get("protocol", "escpos"),
                                    dpi=printer.get("dpi", 203), label_size=printer.get("label_size", "100x150"),
                                    station=s["code"]))
        if uow.session.get(Station, s["code"]) is None:
            uow.session.add(Station(code=s["code"], name=s.get("name", s["code"]),
                                    printer_name=printer.get("name"), scale_id=s.get("scale_id")))
    uow.commit()
    n = 0
    for sku in _read(directory, "skus.json"):
        if uow.session.get(SkuRow, sku["sku"]) is None:
            catalog.create_sku(uow, sku)
            n += 1
    uow.commit()
    counts["skus"] = n
    n = 0
    if not uow.session.exec(select(ledger.LedgerEntry).limit(1)).first():
        for row in _read(directory, "stock.json"):
            ledger.receive(uow, row["sku"], row["bin"], row["qty"], actor, ref="demo")
            n += 1
        uow.commit()
    counts["stock_rows"] = n
    n = 0
    for data in _read(directory, "orders.json"):
        _, created = intake.create_order(uow, data, actor)
        n += int(created)
        uow.commit()
    counts["orders"] = n
    return counts
