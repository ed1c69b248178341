"""Shop-platform benchmark: 10,000 orders pulled from the Taobao TOP emulator, changes, tracking upload.

1. 10,000 paid trades (modified over the last hours) pulled through the real client and
   `platform_sync.pull`, 100 a page, each reviewed, reserved and committed: orders/s.
   Every trade must be imported exactly once.
2. Between two pulls 1 % of the trades change address and 0.5 % are cancelled (closed
   after a refund): the second pull imports nothing and holds exactly those, with the reason.
3. Tracking numbers for the orders still to ship queued in the outbox and sent with
   `taobao.logistics.offline.send`: uploads/s; each trade consigned exactly once.
4. `--pack N` (default 300): N of the orders packed at a station (scans, check-weighing),
   numbered by Cainiao with the trade's OAID (the Cainiao emulator checks it against the shop),
   the encrypted labels relayed to the emulated Cainiao print component: parcels/s, and each
   label printed exactly once; then handed over, so their numbers go back with the rest.
5. The whole database searched for the emulator's plaintext buyers (names, numbers,
   addresses): 0 hits wanted.
6. `--crash`: `wms serve` (its scheduled pull, then its upload worker) killed with SIGKILL
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
from emulators.cainiao import CainiaoEmulator  # noqa: E402
from emulators.print_component import PrintComponentEmulator  # noqa: E402
from emulators.taobao import TaobaoEmulator  # noqa: E402
from scanners.agent.components import ComponentRelay  # noqa: E402
from wms.adapters.db.engine import make_engine  # noqa: E402
from wms.adapters.db.migrate import upgrade  # noqa: E402
from wms.adapters.db.tables import (  # noqa: E402
    OrderEvent,
    OrderRow,
    PlatformOrder,
    PlatformRow,
    SkuBarcode,
    TrackingUpload,
)
from wms.adapters.db.text_search import find_texts  # noqa: E402
from wms.adapters.db.uow import UnitOfWork  # noqa: E402
from wms.config import Settings  # noqa: E402
from wms.service_process import ServiceProcess  # noqa: E402
from wms.services.labels import print_queue  # noqa: E402
from wms.services.orders import records  # noqa: E402
from wms.services.packing import session, station_events  # noqa: E402
from wms.services.platforms import shops, sync, upload_worker, uploads  # noqa: E402
from wms.services.shipping import carrier_setup, handover, waybill_numbers  # noqa: E402


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
        rows = uow.session.exec(select(OrderRow.order_no).where(OrderRow.status.not_in(  # type: ignore[attr-defined]
            ("on_hold", "packed", "shipped")))
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
    ap.add_argument("--pack", type=int, default=300, help="orders to pack and print through the print component")
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

    shipped = pack_and_print(engine, emu, a.pack) if a.pack else 0
    n = queue_uploads(engine, a.uploads or a.orders) + shipped
    t0 = time.perf_counter()
    sent = upload_worker.run_once(engine, "bench")
    secs = time.perf_counter() - t0
    consigned = {c["tid"] for c in emu.consignments}
    print(f"tracking upload: {sent} of {n} in {secs:.1f} s = {sent / secs:.0f} uploads/s; "
          f"{len(emu.consignments)} consignments for {len(consigned)} trades "
          f"({'OK' if len(emu.consignments) == len(consigned) == n else 'WRONG'})")
    secrets = emu.plaintext()
    found = find_texts(engine, secrets)
    print(f"plaintext buyers in the database: {len(found)} hits for {len(secrets)} names, numbers and addresses "
          f"({'OK' if not found else 'WRONG: ' + str(found[:3])})")
    emu.stop()
    if a.crash:
        crash(a, tmp, rng)


def pack_and_print(engine, shop_emu: TaobaoEmulator, n: int) -> int:  # type: ignore[no-untyped-def]
    """Pack n orders at PK-01 (numbers from Cainiao by OAID), relay their labels to the print
    component, hand them over; print parcels/s and whether each label printed exactly once."""
    cainiao = CainiaoEmulator(balance=n + 10, shop=shop_emu).start()
    component = PrintComponentEmulator("cainiao", knows=lambda sealed: sealed in cainiao.sealed).start()
    settings = Settings(_env_file=None, waybill_timeout_s=5)  # type: ignore[call-arg]
    with UnitOfWork(engine) as uow:
        carrier_setup.save_carrier(uow, {"code": "ZTO", "name": "中通快递", "regions": ["*"], "default": True,
                                         "max_weight_g": 50000})
        uow.commit()
        waybill_numbers.set_provider(uow, "ZTO", "cainiao", url=cainiao.url + "/router/rest", app_key="12345678",
                                     secret="emu-secret", token="emu-session")
        uow.commit()
        barcode = {b.sku: b.raw for b in uow.session.exec(select(SkuBarcode)).all()}
        todo = [(o.order_no, [(l.sku, l.qty) for l in records.order_lines(uow, o)]) for o in uow.session.exec(
            select(OrderRow).where(OrderRow.status == "reserved", OrderRow.merge_group.is_(None))  # type: ignore[union-attr]
            .order_by(OrderRow.id).limit(n)).all()]
    who = session.Actor("bench", "packer")

    def event(body: dict) -> dict:
        with UnitOfWork(engine) as uow:
            answer = station_events.station_event(uow, "PK-01", body, who, settings)
            uow.commit()
        return answer

    relay = ComponentRelay({"cainiao": component.url}, timeout_s=10)
    t0 = time.perf_counter()
    packed = printed = acked = 0
    for i, (order_no, lines) in enumerate(todo):
        opened = event({"event_id": f"b{i}-o", "kind": "scan", "code": order_no})["result"]
        if opened["notes"]["needs_ack"]:  # a buyer's message or flagged memo: the packer reads it first
            with UnitOfWork(engine) as uow:
                session.acknowledge_notes(uow, opened["session_id"], who)
                uow.commit()
            acked += 1
        k = 0
        for sku, qty in lines:
            for _ in range(qty):
                k += 1
                event({"event_id": f"b{i}-{k}", "kind": "scan", "code": barcode[sku],
                       "at": f"2026-12-07T10:{k // 60:02d}:{k % 60:02d}.000Z"})
        first = event({"event_id": f"b{i}-w1", "kind": "weight", "grams": 40000, "stable": True})["result"]
        result = event({"event_id": f"b{i}-w2", "kind": "weight", "grams": first["expected_g"], "stable": True})["result"]
        packed += result.get("verdict") == "pass" and bool(result.get("tracking_no"))
        with UnitOfWork(engine) as uow:
            job = print_queue.claim_next(uow, ["component:PK-01"], "bench-agent")
            document, job_id = (dict(job.waybill), job.id) if job else ({}, None)
        if job_id is not None:
            outcome = relay.print_document(document)
            with UnitOfWork(engine) as uow:
                if outcome.ok:
                    print_queue.mark_printed(uow, job_id, "bench-agent")
                    printed += 1
                else:
                    print_queue.mark_failed(uow, job_id, "bench-agent", outcome.error or "failed")
    secs = time.perf_counter() - t0
    once = len(component.printed) == len(set(component.printed)) == printed == packed == len(todo)
    oaid_asked = sum(1 for got in cainiao.issued.values() if got["oaid"])
    print(f"packed and printed: {packed} parcels in {secs:.1f} s = {packed / secs:.1f} parcels/s (scans, two "
          f"weighings, a Cainiao number, the print component; {acked} notes confirmed first); "
          f"{oaid_asked} numbers asked by OAID, "
          f"{len(component.printed)} labels printed ({'OK: each once' if once else 'WRONG'})")
    with UnitOfWork(engine) as uow:
        handover.close_handover(uow, "ZTO", "bench")
        uow.commit()
    cainiao.stop()
    component.stop()
    return packed


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
