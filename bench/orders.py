"""Order intake benchmark: importing and reserving 10,000 orders on SQLite and PostgreSQL.

For each database: the demo layout and SKUs (fixtures/), stock received for every SKU
(enough for all orders), then a generated JSON order file (1-3 lines each over the demo
SKUs, distinct recipients) imported through `wms.services.orders.files.import_orders`:
reviewed and reserved by the bulk path (wms.services.bulk_intake: batched statements, a commit
per chunk, each order still all or nothing). Then the very same file again
(must create nothing), then a second file of as many orders imported by several threads
at once, each its own disjoint slice (stock rows shared, so reservations contend).
Then the first file's buyers order again (new order numbers, each recipient with an open order:
the 合并发货 check). Last, on SQLite, both files through a running `wms serve`
(POST /api/orders/import) with its memory after each.
After each run the ledger must equal on-hand and no stock row may be over-reserved.

PostgreSQL runs in a database of its own, created here and dropped at the end.

    PYTHONPATH=. .venv/bin/python bench/orders.py [--orders 10000] [--threads 8]
        [--pg postgresql://postgres@127.0.0.1:5432] [--no-pg | --no-sqlite]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from wms.adapters.db.engine import make_engine  # noqa: E402
from wms.adapters.db.migrate import upgrade  # noqa: E402
from wms.adapters.db.tables import OrderRow, StockRow  # noqa: E402
from wms.adapters.db.uow import UnitOfWork  # noqa: E402
from wms.service_process import ServiceProcess  # noqa: E402
from wms.services.fixtures import load_layout  # noqa: E402
from wms.services.orders.files import import_orders
from wms.services.people.auth import create_token
from wms.services.stock import catalog, ledger

PG_DATABASE = "wms_bench_orders"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
PLACES = [("广东省", "深圳市", "南山区"), ("浙江省", "杭州市", "余杭区"), ("上海市", "上海市", "浦东新区"),
          ("北京市", "北京市", "朝阳区"), ("江苏省", "南京市", "鼓楼区"), ("四川省", "成都市", "武侯区"),
          ("湖北省", "武汉市", "洪山区"), ("山东省", "青岛市", "市南区"), ("福建省", "厦门市", "思明区")]


def generate(prefix: str, n: int, skus: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """Orders with distinct recipients (so none merge) and 1-3 lines of 1-2 units."""
    out = []
    for i in range(n):
        province, city, district = rng.choice(PLACES)
        lines = [{"sku": s, "qty": rng.randint(1, 2)} for s in rng.sample(skus, rng.choice((1, 1, 2, 3)))]
        out.append({"order_no": f"{prefix}{i:07d}", "channel": "bench",
                    "recipient": {"name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                                  "phone": f"1{rng.choice('3589')}{i:09d}", "province": province, "city": city,
                                  "district": district, "address": f"幸福路{i % 900 + 1}号 {i // 900 + 1}栋 {i}"},
                    "lines": lines})
    return out


def prepare(engine: Any, orders: list[dict[str, Any]]) -> None:
    """Layout, SKUs and enough stock for every order, spread over the fixture bins."""
    sku_rows = json.loads((ROOT / "fixtures" / "skus.json").read_text("utf-8"))
    bins: dict[str, str] = {}
    for row in json.loads((ROOT / "fixtures" / "stock.json").read_text("utf-8")):
        bins.setdefault(row["sku"], row["bin"])
    need: dict[str, int] = {}
    for o in orders:
        for line in o["lines"]:
            need[line["sku"]] = need.get(line["sku"], 0) + line["qty"]
    with UnitOfWork(engine) as uow:
        load_layout(uow, json.loads((ROOT / "fixtures" / "layout.json").read_text("utf-8")))
        uow.commit()
        for s in sku_rows:
            catalog.create_sku(uow, s)
        uow.commit()
        for s in sku_rows:
            if need.get(s["sku"]):
                ledger.receive(uow, s["sku"], bins.get(s["sku"], "A01-01-1"), need[s["sku"]] + 10, "bench")
        uow.commit()


def check_books(engine: Any) -> str:
    with UnitOfWork(engine) as uow:
        bad = ledger.ledger_mismatches(uow)
        over = uow.session.exec(select(func.count()).select_from(StockRow)
                                .where(StockRow.reserved > StockRow.on_hand)).one()
    return "books ok" if not bad and not over else f"BOOKS WRONG: {len(bad)} mismatches, {over} over-reserved"


def status_counts(engine: Any, prefix: str) -> dict[str, int]:
    with UnitOfWork(engine) as uow:
        return dict(uow.session.exec(select(OrderRow.status, func.count()).where(
            OrderRow.order_no.startswith(prefix)).group_by(OrderRow.status)).all())  # type: ignore[attr-defined]


class Rows(list):
    """The result table; each row is printed as soon as it is measured."""

    def append(self, row: tuple) -> None:
        super().append(row)
        name, what, n, secs, notes = row
        print(f"{name:11s} {what:30s} {n:7d} {secs:8.1f} {n / secs:9.0f}  {notes}", flush=True)


def run_backend(name: str, url: str, first: Path, second: Path, threads: int, rows: Rows) -> None:
    engine = make_engine(url)
    upgrade(engine)
    try:
        a, b = json.loads(first.read_text("utf-8")), json.loads(second.read_text("utf-8"))
        repeat = [{**o, "order_no": "RB" + o["order_no"][2:]} for o in a]  # the same buyers order again
        prepare(engine, a + b + repeat)
        text = first.read_text("utf-8")

        t0 = time.perf_counter()
        with UnitOfWork(engine) as uow:
            report = import_orders(uow, text, "json", "bench")
        took = time.perf_counter() - t0
        counts = status_counts(engine, "BA")
        rows.append((name, "import + reserve, 1 thread", len(report.imported), took,
                     f"reserved {counts.get('reserved', 0)}, on hold {counts.get('on_hold', 0)}, "
                     f"errors {len(report.errors)}; {check_books(engine)}"))

        t0 = time.perf_counter()
        with UnitOfWork(engine) as uow:
            again = import_orders(uow, text, "json", "bench")
        took = time.perf_counter() - t0
        rows.append((name, "same file again", len(again.already_present), took,
                     f"created {len(again.imported)} (must be 0)"))

        slices = [b[i::threads] for i in range(threads)]
        reports: list[Any] = []
        failures: list[str] = []
        barrier = threading.Barrier(threads)

        def work(part: list[dict[str, Any]]) -> None:
            body = json.dumps(part, ensure_ascii=False)
            barrier.wait()
            try:
                with UnitOfWork(engine) as uow:
                    reports.append(import_orders(uow, body, "json", "bench"))
            except Exception as exc:  # noqa: BLE001 - reported in the table
                failures.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")

        pool = [threading.Thread(target=work, args=(s,)) for s in slices]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        took = time.perf_counter() - t0
        counts = status_counts(engine, "BC")
        imported = sum(len(r.imported) for r in reports)
        rows.append((name, f"import + reserve, {threads} threads", imported, took,
                     f"reserved {counts.get('reserved', 0)}, on hold {counts.get('on_hold', 0)}, "
                     f"thread failures {len(failures)}{' ' + failures[0] if failures else ''}; {check_books(engine)}"))

        t0 = time.perf_counter()
        with UnitOfWork(engine) as uow:
            report = import_orders(uow, json.dumps(repeat, ensure_ascii=False), "json", "bench")
        took = time.perf_counter() - t0
        counts = status_counts(engine, "RB")
        rows.append((name, "repeat buyers, 1 thread", len(report.imported), took,
                     f"each recipient has an open order (none consents to merging): reserved "
                     f"{counts.get('reserved', 0)}; {check_books(engine)}"))
    finally:
        engine.dispose()


def run_service(name: str, url: str, first: Path, second: Path, rounds: int, rows: Rows) -> None:
    """The same files sent to a running `wms serve` (POST /api/orders/import), `rounds` times over
    with fresh order numbers, and the service's memory after each: it must stay flat."""
    import httpx
    from packing import service_memory

    engine = make_engine(url)
    upgrade(engine)
    a, b = json.loads(first.read_text("utf-8")), json.loads(second.read_text("utf-8"))
    batches = [a, b]
    prepare(engine, [o for batch in batches[:rounds] for o in batch])
    with UnitOfWork(engine) as uow:
        token = create_token(uow, "admin", "bench", lifetime_s=3600)
        uow.commit()
    engine.dispose()
    service = ServiceProcess(url, workers=1).start(60)
    try:
        with httpx.Client(base_url=service.url, timeout=600,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}) as http:
            for r, batch in enumerate(batches[:rounds], 1):
                body = json.dumps(batch, ensure_ascii=False).encode()
                t0 = time.perf_counter()
                answer = http.post("/api/orders/import", content=body)
                took = time.perf_counter() - t0
                answer.raise_for_status()
                got = answer.json()
                memory = service_memory(service.proc.pid)  # type: ignore[union-attr]
                peak = ", ".join(f"{hwm:.0f}" for hwm, _ in memory.values())
                now = ", ".join(f"{rss:.0f}" for _, rss in memory.values())
                rows.append((name, f"wms serve import, round {r}", got["imported"], took,
                             f"errors {len(got['errors'])}; service peak RSS MiB {peak}, now {now}"))
    finally:
        service.stop()


def create_pg(base: str) -> str:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    return f"{base}/{PG_DATABASE}"


def drop_pg(base: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def side_by_side(rows: Rows) -> None:
    """orders/s per run, one column per database."""
    names = list(dict.fromkeys(r[0] for r in rows))
    runs = list(dict.fromkeys(r[1] for r in rows))
    rate = {(r[0], r[1]): r[2] / r[3] for r in rows}
    print(f"\norders/s {'run':30s} " + " ".join(f"{n:>11s}" for n in names))
    for run in runs:
        print(f"         {run:30s} " + " ".join(
            f"{rate[(n, run)]:11.0f}" if (n, run) in rate else f"{'-':>11s}" for n in names))
    print("targets: import + reserve >= 2000/s on SQLite, >= 1000/s on PostgreSQL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--service-rounds", type=int, default=2, choices=(0, 1, 2),
                        help="also send the files to a running `wms serve` on SQLite this many times back to "
                             "back, printing its memory after each (0: skip)")
    args = parser.parse_args()

    rng = random.Random(20261122)
    skus = [s["sku"] for s in json.loads((ROOT / "fixtures" / "skus.json").read_text("utf-8"))]
    rows = Rows()
    with tempfile.TemporaryDirectory(prefix="wms-bench-orders-") as tmp:
        first, second = Path(tmp) / "orders.json", Path(tmp) / "orders-concurrent.json"
        first.write_text(json.dumps(generate("BA", args.orders, skus, rng), ensure_ascii=False), "utf-8")
        second.write_text(json.dumps(generate("BC", args.orders, skus, rng), ensure_ascii=False), "utf-8")
        print(f"{args.orders} orders per file ({first.stat().st_size // 1024} KiB JSON), "
              f"{len(skus)} SKUs, {args.threads} threads for the concurrent run\n", flush=True)
        print(f"{'database':11s} {'run':30s} {'orders':>7s} {'seconds':>8s} {'orders/s':>9s}  notes", flush=True)
        if not args.no_sqlite:
            run_backend("sqlite", f"sqlite:///{tmp}/bench.db", first, second, args.threads, rows)
            if args.service_rounds:
                run_service("sqlite", f"sqlite:///{tmp}/service.db", first, second, args.service_rounds, rows)
        if not args.no_pg:
            url = create_pg(args.pg)
            try:
                run_backend("postgresql", url, first, second, args.threads, rows)
            finally:
                drop_pg(args.pg)
        side_by_side(rows)


if __name__ == "__main__":
    main()
