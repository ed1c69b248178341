"""What one station event costs inside the service, without HTTP: open, scan, weigh.

Packs simulated orders one after another through `packing.station_event` on an SQLite file
(or the database given), single-threaded, and prints the time per event kind. It isolates
the domain and database work from the web stack and from other stations; `bench/packing.py`
measures the whole path under load. `--profile` prints where the weighing's time goes.

    python bench/station_cost.py [--parcels 1000] [--database sqlite:///...] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from packing import load_catalogue, make_orders, pct, simulate_contents  # noqa: E402
from sqlalchemy import event as sqlalchemy_event  # noqa: E402

from wms.adapters.db.engine import WRITER_TIMES, make_engine  # noqa: E402
from wms.adapters.db.migrate import upgrade  # noqa: E402
from wms.adapters.db.uow import UnitOfWork  # noqa: E402
from wms.config import Settings  # noqa: E402
from wms.services.packing import session, station_events

WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")


def inside_write(sent: list[str]) -> int:
    """Statements from the first that takes the writer's lock (SQLite's BEGIN IMMEDIATE, a
    row lock, a write) to the end: what other writers wait behind."""
    for n, statement in enumerate(sent):
        if statement.upper().startswith(WRITES) or " FOR UPDATE" in statement.upper():
            return len(sent) - n
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database", default=None, help="default: a new SQLite file in a temp folder")
    ap.add_argument("--profile", action="store_true", help="profile the weighings and print the top functions")
    ap.add_argument("--statements", action="store_true",
                    help="print the SQL statements of one passing weighing, in the order sent")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/cost.db"
    engine = make_engine(url)
    upgrade(engine)
    skus, packaging = load_catalogue(engine, rng)
    by_sku = {s["sku"]: s for s in skus}
    plan = make_orders(engine, skus, args.parcels, rng)
    settings = Settings(database_url=url)
    who = session.Actor("bench", "packer")
    times: dict[str, list[float]] = {"open": [], "scan": [], "weigh": []}
    held: dict[str, list[float]] = {"open": [], "scan": [], "weigh": []}
    by_verdict: dict[str, list[float]] = {}  # the pass path finishes the parcel, a mismatch searches suspects
    verdicts: dict[str, int] = {}
    profiler = cProfile.Profile() if args.profile else None
    sent: list[str] = []
    counting = [False]

    @sqlalchemy_event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_):
        if counting[0]:
            sent.append(" ".join(statement.split())[:150])

    passing: list[list[str]] = []
    per_kind: dict[str, list[tuple[int, int]]] = {"open": [], "scan": [], "weigh": []}  # (all, inside the write tx)

    def event(kind: str, body: dict) -> dict:
        writer = [0.0, 0.0]
        WRITER_TIMES.set(writer)
        t = time.perf_counter()
        if kind == "weigh" and profiler:
            profiler.enable()
        sent.clear()
        counting[0] = True
        with UnitOfWork(engine) as uow:
            answer = station_events.station_event(uow, "PK-01", body, who, settings)
            uow.commit()
        counting[0] = False
        if kind != "weigh" or answer["result"]["verdict"] == "pass":
            per_kind[kind].append((len(sent), inside_write(sent)))
        if kind == "weigh" and answer["result"]["verdict"] == "pass":
            passing.append(list(sent))
        if kind == "weigh" and profiler:
            profiler.disable()
        times[kind].append((time.perf_counter() - t) * 1000)
        held[kind].append(writer[1] * 1000)
        return answer

    for i, (order_no, lines, kind) in enumerate(plan):
        opened = event("open", {"event_id": f"{i}-o", "kind": "scan", "code": order_no})
        pack = packaging.get(opened["result"]["packaging"])
        k = 0
        for sku, qty in lines.items():
            for _ in range(qty):  # a second apart, as a packer scans: not a scanner's double read
                k += 1
                event("scan", {"event_id": f"{i}-{k}", "kind": "scan", "code": by_sku[sku]["barcodes"][0],
                               "at": f"2026-11-22T10:{k // 60:02d}:{k % 60:02d}.000Z"})
        items_g, _ = simulate_contents(rng, lines, kind, by_sku, skus)
        box_g = rng.gauss(pack.weight_g, pack.tolerance_g / 3) if pack else 0.0
        answer = event("weigh", {"event_id": f"{i}-w", "kind": "weight", "grams": int(round(items_g + box_g)),
                                 "stable": True})
        verdict = answer["result"]["verdict"]
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
        by_verdict.setdefault(verdict, []).append(times["weigh"][-1])
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.parcels} parcels on {engine.dialect.name}, one station, no HTTP; verdicts {verdicts}; "
          f"machine load (1/5/15 min) {load} on {os.cpu_count()} cores")
    for kind, values in times.items():
        print(f"{kind:6s} n={len(values):6d}  mean {sum(values) / len(values):6.2f}  p50 {pct(values, 50):6.2f}  "
              f"p90 {pct(values, 90):6.2f}  p99 {pct(values, 99):6.2f} ms;  holding the writer lock: "
              f"mean {sum(held[kind]) / len(held[kind]):5.2f}  p99 {pct(held[kind], 99):5.2f} ms")
    for verdict, values in sorted(by_verdict.items()):
        print(f"  weigh, {verdict:<11s} n={len(values):5d}  mean {sum(values) / len(values):6.2f}  "
              f"p50 {pct(values, 50):6.2f}  p99 {pct(values, 99):6.2f} ms")
    if passing:
        counts = sorted(len(p) for p in passing)
        print(f"SQL statements per passing weighing: p50 {counts[len(counts) // 2]}, max {counts[-1]}")
    for kind, label in (("weigh", "passing weighing"), ("scan", "scan"), ("open", "session opened")):
        if per_kind[kind]:
            every = sorted(n for n, _ in per_kind[kind])
            inside = sorted(i for _, i in per_kind[kind])
            print(f"  per {label:16s}: p50 {every[len(every) // 2]:3d}, max {every[-1]:3d} statements; inside the "
                  f"write transaction p50 {inside[len(inside) // 2]:3d}, max {inside[-1]:3d}")
    if args.statements and passing:
        for n, statement in enumerate(passing[-1], 1):
            print(f"  {n:2d}. {statement}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
