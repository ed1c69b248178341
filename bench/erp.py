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
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import text  # noqa: E402

from emulators.qimen_erp import QimenErpEmulator, reference_sign  # noqa: E402
from wms.adapters.db.engine import make_engine  # noqa: E402
from wms.adapters.db.migrate import upgrade  # noqa: E402
from wms.adapters.db.uow import UnitOfWork  # noqa: E402
from wms.adapters.qimen import protocol  # noqa: E402
from wms.service_process import ServiceProcess  # noqa: E402
from wms.services.platforms import erps, upload_worker, uploads
from wms.services.stock import ledger

ITEMS = 20


def signed(url: str, method: str, body: str) -> tuple[str, bytes]:
    raw = body.encode("utf-8")
    params = {"method": method, "app_key": "bench-key", "customerId": "BENCH", "timestamp": protocol.timestamp(),
              "format": "xml", "v": "2.0", "sign_method": "md5"}
    params["sign"] = reference_sign("bench-secret", params, raw)
    return f"{url}/qimen?{urlencode(params)}", raw


def shipment(i: int) -> str:
    lines = "".join(f"<orderLine><itemCode>B{(i + k) % ITEMS:02d}</itemCode><planQty>{1 + k}</planQty></orderLine>"
                    for k in range(1 + i % 2))
    return (f"<request><deliveryOrder><deliveryOrderCode>ERP{i:07d}</deliveryOrderCode><orderType>JYCK</orderType>"
            "<sourcePlatformCode>TB</sourcePlatformCode><shopNick>压测店</shopNick>"
            f"<receiverInfo><name>李**</name><mobile>138****{i % 10000:04d}</mobile><province>浙江省</province>"
            f"<city>杭州市</city><area>余杭区</area><detailAddress>良睦路****号 {i}</detailAddress>"
            f"<oaid>OAID{i:012d}</oaid></receiverInfo></deliveryOrder><orderLines>{lines}</orderLines></request>")


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
            for n in range(ITEMS):
                item = (f"<request><item><itemCode>B{n:02d}</itemCode><itemName>压测商品{n}</itemName>"
                        f"<grossWeight>{0.1 + n / 100:.3f}</grossWeight></item></request>")
                target, raw = signed(service.url, "taobao.qimen.singleitem.synchronize", item)
                assert b"success" in httpx.post(target, content=raw, timeout=30).content
            for n in range(ITEMS):
                ledger.receive(uow, f"B{n:02d}", f"A{n % 9 + 1:02d}-01-1", args.orders, "bench")
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
                        target, raw = signed(service.url, "taobao.qimen.deliveryorder.create", shipment(i))
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
                target, raw = signed(service.url, "deliveryorder.create", shipment(i))
                httpx.post(target, content=raw, timeout=60)
        finally:
            service.stop()
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
