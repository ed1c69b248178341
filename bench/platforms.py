"""Shop-platform benchmark: 10,000 orders pulled from the Taobao TOP emulator, changes, tracking upload.

1. 10,000 paid trades (modified over the last hours) pulled through the real client and
   `platform_sync.pull`, 100 a page, each reviewed, reserved and committed: orders/s.
   Every trade must be imported exactly once.
2. Between two pulls 1 % of the trades change address and 0.5 % are cancelled (closed
   after a refund): the second pull imports nothing and holds exactly those, with the reason.
3. Tracking numbers for the orders still to ship queued in the outbox and sent with
   `taobao.logistics.offline.send`: uploads/s; each trade consigned exactly once.
4. `--crash`: `wms serve` (its scheduled pull, then its upload worker) killed with SIGKILL
   part-way, started again: afterwards every trade is imported once and consigned once.

    PYTHONPATH=. .venv/bin/python bench/platforms.py [--orders 10000] [--database URL] [--crash]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import orders as bench_orders  # noqa: E402  (bench/orders.py: layout, SKUs, stock)
from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from emulators.base import beijing_now  # noqa: E402
from emulators.taobao import TaobaoEmulator  # noqa: E402
from wms.adapters.db.engine import make_engine  # noqa: E402
from wms.adapters.db.migrate import upgrade  # noqa: E402
from wms.adapters.db.tables import OrderEvent, OrderRow, PlatformOrder, PlatformRow, TrackingUpload  # noqa: E402
from wms.adapters.db.uow import UnitOfWork  # noqa: E402
from wms.service_process import ServiceProcess  # noqa: E402
from wms.services.platforms import shops, sync, upload_worker, uploads


def make_trades(emu: TaobaoEmulator, n: int, rng: random.Random) -> list[dict]:
    """n trades modified over the last hours (oldest first); returns the order lines for stock."""
    skus = bench_orders.json.loads((ROOT / "fixtures" / "skus.json").read_text("utf-8"))
    codes = [s["sku"] for s in skus][:40]
    start = beijing_now() - timedelta(hours=5)
    step = timedelta(hours=4) / max(n, 1)
    lines_all = []
    for i in range(n):
        lines = [(s, rng.randint(1, 2)) for s in rng.sample(codes, rng.choice((1, 1, 2)))]
        emu.add_trade(lines, modified=start + step * i, paid=start + step * i - timedelta(minutes=3), rnd=rng,
                      receiver_address=f"幸福路{i % 900 + 1}号 {i // 900 + 1}栋 {i}",
                      receiver_mobile=f"13{i:09d}", buyer_message="周末不在家" if i % 7 == 0 else "",
                      seller_memo="送小样" if i % 11 == 0 else "", seller_flag=(i % 6))
        lines_all.append({"lines": [{"sku": s, "qty": q} for s, q in lines]})
    return lines_all


def fresh_engine(url: str | None, tmp: Path, name: str):  # type: ignore[no-untyped-def]
    engine = make_engine(url or f"sqlite:///{tmp / name}")
    upgrade(engine)
    return engine


def count(engine, model, *where) -> int:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine, read_only=True) as uow:
        return int(uow.session.exec(select(func.count()).select_from(model).where(*where)).one())


def exactly_once(engine, n: int) -> str:  # type: ignore[no-untyped-def]
    orders_n = count(engine, OrderRow)
    seen = count(engine, PlatformOrder, PlatformOrder.order_no.is_not(None))  # type: ignore[union-attr]
    received = count(engine, OrderEvent, OrderEvent.to_status == "received")
    ok = orders_n == seen == received == n
    return f"{'OK' if ok else 'WRONG'}: {orders_n} orders, {seen} platform rows, {received} intake events (want {n})"


def add_platform(engine, emu, interval: int = 0) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        shops.add_platform(uow, "TB-BENCH", "taobao", url=emu.url + "/router/rest", shop="bench shop",
                                   app_key=emu.app_key, app_secret=emu.secret, access_token=emu.session,
                                   pull_interval_s=interval)
        uow.commit()


def queue_uploads(engine, limit: int) -> int:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        rows = uow.session.exec(select(OrderRow.order_no).where(OrderRow.status != "on_hold")
                                .order_by(OrderRow.id).limit(limit)).all()
        for i, order_no in enumerate(rows):
            uploads.enqueue(uow, order_no, "SF", f"SF9{i:011d}", "handover")
        uow.commit()
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--database", help="default: a temporary SQLite file")
    ap.add_argument("--uploads", type=int, default=None, help="tracking numbers to send (default: all to ship)")
    ap.add_argument("--crash", action="store_true", help="also kill wms serve mid-pull and mid-upload")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="wms-bench-platforms-"))
    rng = random.Random(15)
    emu = TaobaoEmulator().start()
    need = make_trades(emu, a.orders, rng)
    engine = fresh_engine(a.database, tmp, "pull.db")
    bench_orders.prepare(engine, need)
    add_platform(engine, emu)
    print(f"{a.orders} trades on the TOP emulator at {emu.url}; database {engine.url.render_as_string()}")

    t0 = time.perf_counter()
    first = sync.pull(engine, "TB-BENCH", page_size=100)
    secs = time.perf_counter() - t0
    print(f"pull 1: imported {first.imported} in {secs:.1f} s = {first.imported / secs:.0f} orders/s "
          f"({first.pages} pages, error {first.error})")
    print("  exactly once:", exactly_once(engine, a.orders))

    tids = list(emu.trades)
    sample = rng.sample(tids, int(a.orders * 0.015))
    moved, closed = sample[: int(a.orders * 0.01)], sample[int(a.orders * 0.01):]
    for tid in moved:
        emu.change_address(tid, "文三路 90 号 改 " + tid[-4:])
    for tid in closed:
        emu.close_trade(tid)
    time.sleep(1.2)
    t0 = time.perf_counter()
    second = sync.pull(engine, "TB-BENCH", page_size=100, since=beijing_now() - timedelta(hours=6))
    secs = time.perf_counter() - t0
    print(f"pull 2 (all {a.orders} again, {len(moved)} moved, {len(closed)} cancelled): {secs:.1f} s = "
          f"{a.orders / secs:.0f} orders/s read; imported {second.imported}, changed {second.changed}, "
          f"held {len(second.held)}, error {second.error}")
    with UnitOfWork(engine) as uow:
        held = {o.order_no: o.hold_reason or "" for o in uow.session.exec(
            select(OrderRow).where(OrderRow.hold_reason.like("platform %"))).all()}  # type: ignore[union-attr]
    right = (set(held) == set(moved) | set(closed)
             and all("changed the address" in held[t] for t in moved) and all("closed" in held[t] for t in closed))
    print(f"  holds: {'OK' if right else 'WRONG'}: {len(held)} held by the platform "
          f"(want {len(moved)} address changes + {len(closed)} cancels, each with its reason)")
    print("  exactly once:", exactly_once(engine, a.orders))

    n = queue_uploads(engine, a.uploads or a.orders)
    t0 = time.perf_counter()
    sent = upload_worker.run_once(engine, "bench")
    secs = time.perf_counter() - t0
    consigned = {c["tid"] for c in emu.consignments}
    print(f"tracking upload: {sent} of {n} in {secs:.1f} s = {sent / secs:.0f} uploads/s; "
          f"{len(emu.consignments)} consignments for {len(consigned)} trades "
          f"({'OK' if len(emu.consignments) == len(consigned) == n else 'WRONG'})")
    emu.stop()
    if a.crash:
        crash(a, tmp, rng)


def serve(url: str) -> ServiceProcess:
    return ServiceProcess(url, env={"WMS_UPLOAD_LEASE_S": "3"}).start()


def crash(a: argparse.Namespace, tmp: Path, rng: random.Random) -> None:
    emu = TaobaoEmulator().start()
    need = make_trades(emu, a.orders, rng)
    url = f"sqlite:///{tmp / 'crash.db'}"
    engine = fresh_engine(url, tmp, "crash.db")
    bench_orders.prepare(engine, need)
    add_platform(engine, emu, interval=1)
    with UnitOfWork(engine) as uow:  # uploads come after the pull: queue none until then
        shops.add_platform(uow, "TB-BENCH", "taobao", upload_on="handover")
        uow.commit()
    proc = serve(url)
    while count(engine, OrderRow) < a.orders // 3:
        time.sleep(0.2)
    proc.kill()
    at_kill = count(engine, OrderRow)
    proc = serve(url)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with UnitOfWork(engine, read_only=True) as uow:
            pulled = uow.session.get(PlatformRow, "TB-BENCH").last_pull_at is not None  # type: ignore[union-attr]
        done = pulled and count(engine, OrderRow) == a.orders
        if done:
            break
        time.sleep(0.5)
    print(f"crash mid-pull: killed at {at_kill} orders, restarted; ", exactly_once(engine, a.orders))
    n = queue_uploads(engine, a.orders)
    while count(engine, TrackingUpload, TrackingUpload.status == "sent") < n // 3:
        time.sleep(0.2)
    proc.kill()
    at_kill = count(engine, TrackingUpload, TrackingUpload.status == "sent")
    sending = count(engine, TrackingUpload, TrackingUpload.status == "sending")
    proc = serve(url)
    deadline = time.monotonic() + 600
    while count(engine, TrackingUpload, TrackingUpload.status == "sent") < n and time.monotonic() < deadline:
        time.sleep(0.5)
    proc.stop()
    consigned = {c["tid"] for c in emu.consignments}
    sent = count(engine, TrackingUpload, TrackingUpload.status == "sent")
    ok = sent == n == len(emu.consignments) == len(consigned)
    print(f"crash mid-upload: killed at {at_kill} sent ({sending} left 'sending'), restarted; "
          f"{'OK' if ok else 'WRONG'}: {sent} sent of {n}, {len(emu.consignments)} consignments for "
          f"{len(consigned)} trades")
    emu.stop()


if __name__ == "__main__":
    main()
