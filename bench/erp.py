"""ERP benchmark over 奇门: shipments in through a real `wms serve`, confirmations out.

1. An ERP (emulators/qimen_erp) synchronises 20 items, then sends `--orders` signed
   `deliveryorder.create` calls to `POST /qimen` from `--clients` threads: creates/s and the
   answer's latency. Every shipment must become exactly one order; 1 % sent again adds nothing.
2. Each order is then queued for its `deliveryorder.confirm` as a handover queues it (a
   tracking number, the grams, the items), and the outbox worker sends them to the ERP's callback:
   confirms/s. The ERP must have taken each shipment's confirmation exactly once.

    PYTHONPATH=. .venv/bin/python bench/erp.py [--orders 10000] [--clients 4] [--database URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from emulators.qimen_erp import ErpPush, QimenErpEmulator  # noqa: E402
from wms.adapters.db.engine import make_engine  # noqa: E402
from wms.adapters.db.migrate import upgrade  # noqa: E402
from wms.adapters.db.uow import UnitOfWork  # noqa: E402
from wms.service_process import ServiceProcess  # noqa: E402
from wms.services.platforms import erps, upload_worker, uploads
from wms.services.stock import ledger

ITEMS = 20


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--database", default=None, help="default: a new SQLite file in a temp folder")
    args = ap.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='wms-erp-bench-')}/wms.db"
    engine = make_engine(url)
    upgrade(engine)
    with QimenErpEmulator("bench-key", "bench-secret") as erp, UnitOfWork(engine) as uow:
        erps.add_erp(uow, "BENCH", "bench-key", "bench-secret", "BENCH", erp.url)
        uow.commit()
        service = ServiceProcess(url, env={"WMS_PLATFORM_SYNC": "false"}).start()
        try:
            push = ErpPush(service.url, "bench-key", "bench-secret", "BENCH")
            items = push.items(ITEMS)  # as the ERP sends them (emulators/qimen_erp.ErpPush)
            for n, sku in enumerate(items):
                ledger.receive(uow, sku, f"A{n % 9 + 1:02d}-01-1", args.orders, "bench")
            uow.commit()

            latencies: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()
            counter = iter(range(args.orders))

            def client() -> None:
                with httpx.Client(timeout=60) as http:
                    while True:
                        with lock:
                            i = next(counter, None)
                        if i is None:
                            return
                        target, raw = push.signed("taobao.qimen.deliveryorder.create", ErpPush.shipment(i, items))
                        start = time.perf_counter()
                        answer = http.post(target, content=raw, headers={"Content-Type": "text/xml; charset=utf-8"})
                        took = time.perf_counter() - start
                        with lock:
                            latencies.append(took)
                            if b"<flag>success</flag>" not in answer.content:
                                failures.append(answer.text[:200])

            started = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - started
            for i in range(0, args.orders, 100):  # 1 % sent again
                target, raw = push.signed("deliveryorder.create", ErpPush.shipment(i, items))
                httpx.post(target, content=raw, timeout=60)
        finally:
            service.stop()
            push.close()
        with engine.connect() as conn:
            orders = conn.execute(text("SELECT COUNT(*) FROM orders")).scalar_one()
            held = conn.execute(text("SELECT COUNT(*) FROM orders WHERE status = 'on_hold'")).scalar_one()
        print(f"{args.orders} deliveryorder.create through wms serve ({engine.dialect.name}, {args.clients} clients): "
              f"{seconds:.1f} s, {args.orders / seconds:.0f} creates/s; answer p50 {1000 * statistics.median(latencies):.1f}"
              f" / p99 {1000 * pct(latencies, 0.99):.1f} ms; failures {len(failures)}; orders {orders} "
              f"(on hold {held}); 1 % sent again added {orders - args.orders}")

        with UnitOfWork(engine) as uow:
            rows = uow.session.execute(text("SELECT order_no FROM orders ORDER BY id")).scalars().all()
            for n, order_no in enumerate(rows):
                uploads.enqueue(uow, order_no, "WMS", f"WMS{n:010d}", "handover", 300 + n % 500,
                                        {"items": [{"sku": "B00", "qty": 1}], "operator": "bench"})
            uow.commit()
        started = time.perf_counter()
        sent = 0
        while True:
            done = upload_worker.run_once(engine, "bench")
            sent += done
            if not done:
                break
        seconds = time.perf_counter() - started
        codes = [c.findtext("deliveryOrder/deliveryOrderCode") for c in erp.confirmations()]
        print(f"{sent} deliveryorder.confirm sent to the ERP in {seconds:.1f} s, {sent / max(seconds, 1e-9):.0f} "
              f"confirms/s; the ERP took {len(codes)}, distinct shipments {len(set(codes))}")
        assert not failures, failures[:3]
        assert orders == args.orders and len(codes) == len(set(codes)) == args.orders


if __name__ == "__main__":
    main()
