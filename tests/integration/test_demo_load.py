"""The demo warehouse loads into an empty database, twice without doubling anything."""

from sqlalchemy import func
from sqlmodel import select

from wms.adapters.db.tables import BinRow, OrderRow, SkuRow, TrackingPool
from wms.adapters.db.uow import UnitOfWork
from wms.config import REPO_ROOT
from wms.services.board.overview import warehouse_counts
from wms.services.fixtures import load_demo
from wms.services.stock.ledger import ledger_mismatches

FIXTURES = REPO_ROOT / "fixtures"


def test_the_demo_warehouse_loads_and_reloading_adds_nothing(engine):
    with UnitOfWork(engine) as uow:
        first = load_demo(uow, FIXTURES)
    with UnitOfWork(engine) as uow:
        again = load_demo(uow, FIXTURES)
        counts = warehouse_counts(uow)
        assert counts["bins"] >= 1000 and counts["skus"] >= 200 and counts["orders"] >= 300
        assert counts["units_on_hand"] > 0
        held = uow.session.exec(select(OrderRow).where(OrderRow.status == "on_hold")).all()
        reasons = " | ".join(o.hold_reason or "" for o in held)
        for problem in ("phone is missing", "not a mainland mobile", "unknown SKU", "district is missing"):
            assert problem in reasons
        assert uow.session.exec(select(func.count()).select_from(TrackingPool)).one() >= 3
        assert uow.session.exec(select(func.count()).select_from(SkuRow)).one() == first["skus"]
        assert uow.session.exec(select(func.count()).select_from(BinRow)).one() >= 1000
        assert ledger_mismatches(uow) == []
    assert first["orders"] >= 300 and again == {"skus": 0, "stock_rows": 0, "orders": 0}

