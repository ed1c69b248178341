"""Pack-station benchmark: detection, false alarms and latency, through the real HTTP API.

Replays simulated parcels with realistic noise (each unit's weight drawn around its master
weight with the SKU's spread, the packaging's own spread, the scale's 1 g resolution) and a
known share of packing errors: one unit missing, one unit extra (something the packer did
not scan), one unit swapped for another SKU. 20 stations work at once against `wms`'s
service on an embedded SQLite file, each scan and weighing a real HTTP request. Each station
runs in a process of its own (as each station PC is), so stations do not queue on one
another's interpreter lock and the latency measured is the service's.

A station scans at a packer's pace (`--pace-ms`, 1000 ms by default, each gap drawn from
0.5-1.5x that) and leaves the parcel on the scale for two paces before the stable reading.

    python bench/packing.py [--parcels 10000] [--stations 20] [--pace-ms 1000] [--database sqlite:///...]
        [--workers 2] [--instances 1] [--rounds 1]

`--instances 2 --database postgresql://...` runs two separate `wms serve` on one PostgreSQL,
the stations spread over them; `--rounds 2` replays twice on the same running service and
prints memory after each round (it must stay flat).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wms.adapters.db.engine import make_engine  # noqa: E402
from wms.adapters.db.migrate import upgrade  # noqa: E402
from wms.adapters.db.tables import OrderLine, OrderRow, PackagingRow  # noqa: E402
from wms.adapters.db.uow import UnitOfWork  # noqa: E402
from wms.service_process import ServiceProcess  # noqa: E402
from wms.services.fixtures import load_layout  # noqa: E402
from wms.services.people.auth import create_token
from wms.services.stock import catalog, ledger

SERVER_METRICS = ("app", "lock", "write")  # Server-Timing: in all, waiting for the writer lock, holding it
KINDS = {"correct": 0.85, "missing": 0.05, "extra": 0.05, "swapped": 0.05}


def load_catalogue(engine, rng):
    skus = json.loads((ROOT / "fixtures" / "skus.json").read_text("utf-8"))
    with UnitOfWork(engine) as uow:
        load_layout(uow, json.loads((ROOT / "fixtures" / "layout.json").read_text("utf-8")))
        for p in json.loads((ROOT / "fixtures" / "packaging.json").read_text("utf-8")):
            if p["kind"] != "filler":
                uow.session.add(PackagingRow(**{k: p[k] for k in PackagingRow.model_fields if k in p}))
        uow.commit()
        bins = [f"A{a:02d}-{p:02d}-1" for a in range(1, 13) for p in range(1, 33)]
        for sku, bin_code in zip(skus, bins):
            catalog.create_sku(uow, sku)
            ledger.receive(uow, sku["sku"], bin_code, 1_000_000, "bench")
        uow.commit()
        packaging = {p.code: p for p in uow.session.exec(__import__("sqlmodel").select(PackagingRow)).all()}
    return skus, packaging


def make_orders(engine, skus, n, rng):
    """Orders straight into the database, their stock reserved as the order desk would (the
    desk is not what we time; the pass path takes the reserved units out of their bins)."""
    plan = []
    with UnitOfWork(engine) as uow:
        for i in range(n):
            lines = {}
            for sku in rng.sample(skus, rng.choice([1, 1, 2, 2, 3, 4, 5, 6])):
                lines[sku["sku"]] = rng.choice([1, 1, 1, 2, 3])
            order = OrderRow(order_no=f"BENCH{i:06d}", status="reserved", recipient_name="测试",
                             recipient_phone="13800000000", province="浙江省", city="杭州市",
                             district="余杭区", address="良睦路1399号")
            uow.session.add(order)
            uow.session.flush()
            for sku, qty in lines.items():
                uow.session.add(OrderLine(order_id=order.id, sku=sku, qty=qty))
            uow.session.flush()
            if ledger.reserve_order(uow, order):
                raise SystemExit(f"{order.order_no}: the bench's stock ran short")
            plan.append((order.order_no, lines, rng.choices(list(KINDS), weights=list(KINDS.values()))[0]))
        uow.commit()
    return plan


def unit_weight(rng, sku):
    return rng.gauss(sku["unit_weight_g"], sku["weight_tolerance_g"] / 3)


def simulate_contents(rng, lines, kind, by_sku, skus):
    """What physically goes in the box, and the error's SKU (for scoring suspects)."""
    units = [s for s, q in lines.items() for _ in range(q)]
    culprit = None
    if kind == "missing":
        culprit = rng.choice(units)
        units.remove(culprit)
    elif kind == "extra":
        culprit = rng.choice(skus)["sku"]
        units.append(culprit)
    elif kind == "swapped":
        gone = rng.choice(units)
        came = rng.choice([s for s in skus if s["sku"] != gone])["sku"]
        units.remove(gone)
        units.append(came)
        culprit = gone
    return sum(unit_weight(rng, by_sku[s]) for s in units), culprit


def serve(url, workers=1):
    """`wms serve` in its own process, as in production (the clients here would share its GIL)."""
    service = ServiceProcess(url, workers=workers).start(30)
    return service, service.url


def _cpu_seconds(pid):
    """User + system CPU the service (the process and its worker processes) has used so far,
    from Linux /proc; None elsewhere."""
    try:
        stats = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
        tree, ticks = {pid}, 0
        for _ in range(3):  # the service, its workers, their helpers
            tree |= {p for p, (parent, _) in stats.items() if parent in tree}
        ticks = sum(stats[p][1] for p in tree if p in stats)
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def service_memory(pid):
    """{pid: (peak RSS, RSS now) in MiB} of the service and its worker processes (Linux
    /proc/<pid>/status VmHWM and VmRSS), or {} elsewhere."""
    out = {}
    try:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree = {pid}
        for _ in range(3):
            tree |= {p for p, parent in parents.items() if parent in tree}
        for p in sorted(tree):
            try:
                status = dict(line.split(":", 1) for line in Path(f"/proc/{p}/status").read_text().splitlines()
                              if ":" in line)
                out[p] = (int(status["VmHWM"].split()[0]) / 1024, int(status["VmRSS"].split()[0]) / 1024)
            except (OSError, KeyError, ValueError):
                continue
    except OSError:
        return {}
    return out


def _machine_busy():
    """(busy, total) CPU ticks of the whole machine so far (Linux /proc/stat), or None."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)
    except (OSError, ValueError, IndexError):
        return None


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def _server_ms(response, metric="app"):
    """The service's own time for a request (or one part of it: `lock`, the wait for the
    database's writer lock; `write`, the time holding it), from its Server-Timing header."""
    for part in response.headers.get("server-timing", "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        if name == metric and dur:
            return float(dur)
    return float("nan")


def _server_times(response):
    return tuple(_server_ms(response, m) for m in SERVER_METRICS)


def parcel_sigma(lines, by_sku, pack):
    """The standard deviation of a correct parcel's weight, as the simulation draws it: each
    unit's spread (its tolerance read as 3 sigma), the box's, and the scale's rounding."""
    var = sum(qty * (by_sku[sku]["weight_tolerance_g"] / 3) ** 2 for sku, qty in lines.items())
    return math.sqrt(var + ((pack[1] / 3) ** 2 if pack else 0.0) + 1 / 12)


def best_possible_catch(rows, false_alarm=0.005):
    """The share of these missing items that an ideal weight check would catch while wrongly
    flagging `false_alarm` of every kind of correct parcel: one that knows each parcel's true
    spread and flags anything lighter than expected by more than z * sigma (one-sided: the
    whole false-alarm budget goes on "too light"). What the scale alone can tell, for rules
    that hold every parcel to the same false-alarm rate."""
    z = statistics.NormalDist().inv_cdf(1 - false_alarm)
    unit = statistics.NormalDist()
    return sum(unit.cdf(weight / sigma - z) for *_, sigma, weight in rows) / max(1, len(rows))


def run_station(n, jobs, base, token, args, by_sku, skus, packs, results):
    """One packing station in a process of its own, as a station PC is: packs its share of the
    orders at the packer's pace and reports what the service answered, and how fast."""
    code = f"PK-{n:02d}"
    srng = random.Random(args.seed * 1000 + n)
    out = {"outcomes": [], "scan_ms": [], "verdict_ms": [], "errors": [], "sent": 0, "server_scan_ms": [],
           "server_verdict_ms": []}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:

        def post(body):
            out["sent"] += 1
            return http.post(f"/api/stations/{code}/events", json=body)

        for i, (order_no, lines, kind) in jobs:
            try:
                r = post({"event_id": f"{i}-o", "kind": "scan", "code": order_no})
                r.raise_for_status()
                pack = packs.get(r.json()["result"]["packaging"])
                k = 0
                for sku, qty in lines.items():
                    barcode = by_sku[sku]["barcodes"][0]
                    for _ in range(qty):
                        k += 1
                        time.sleep(srng.uniform(0.5, 1.5) * args.pace_ms / 1000)
                        t = time.perf_counter()
                        r = post({"event_id": f"{i}-{k}", "kind": "scan", "code": barcode,
                                  "at": f"2026-11-22T10:{k // 60:02d}:{k % 60:02d}.000Z"})
                        out["scan_ms"].append((time.perf_counter() - t) * 1000)
                        out["server_scan_ms"].append(_server_times(r))
                        r.raise_for_status()
                items_g, culprit = simulate_contents(srng, lines, kind, by_sku, skus)
                box_g = srng.gauss(pack[0], pack[1] / 3) if pack else 0.0
                grams = int(round(items_g + box_g))
                time.sleep(2 * args.pace_ms / 1000)  # onto the scale until the reading settles
                t = time.perf_counter()
                r = post({"event_id": f"{i}-w", "kind": "weight", "grams": grams, "stable": True})
                out["verdict_ms"].append((time.perf_counter() - t) * 1000)
                out["server_verdict_ms"].append(_server_times(r))
                r.raise_for_status()
                res = r.json()["result"]
                named = {s["sku"] for s in res["suspects"]}
                culprit_weight = by_sku[culprit]["unit_weight_g"] if culprit else 0
                culprit_tol = by_sku[culprit]["weight_tolerance_g"] if culprit else 0
                out["outcomes"].append((kind, res["verdict"], culprit in named if culprit else None,
                                        culprit_weight > 3 * culprit_tol, abs(res["delta_g"]),
                                        culprit_weight > 3 * res["tolerance_g"],
                                        parcel_sigma(lines, by_sku, pack), culprit_weight))
                if res["verdict"] != "pass":  # leave the station free for the next order
                    post({"event_id": f"{i}-x", "kind": "scan", "code": "BENCH-NEXT"})
            except Exception as exc:  # noqa: BLE001 - counted and printed
                out["errors"].append(f"{order_no}: {exc}")
    results.put(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parcels", type=int, default=10_000)
    ap.add_argument("--stations", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--database", default=None, help="default: a new SQLite file in a temp folder")
    ap.add_argument("--pace-ms", type=float, default=1000.0,
                    help="a packer's time between two scans: 1000 ms is a fast packer (a real one needs 1-3 s "
                         "to take an item, scan it and put it in the box); 150 ms is a stress run at 10x that")
    ap.add_argument("--workers", type=int, default=2, help="service processes (wms serve --workers)")
    ap.add_argument("--instances", type=int, default=1,
                    help="separate `wms serve` instances on the one database (as a warehouse running several "
                         "service machines on PostgreSQL); stations are spread over them")
    ap.add_argument("--rounds", type=int, default=1,
                    help="replay --parcels this many times back to back on the same running service(s), "
                         "with the full report and memory after each: memory must stay flat")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    skus, packaging = load_catalogue(engine, rng)
    by_sku = {s["sku"]: s for s in skus}
    plan = make_orders(engine, skus, args.parcels * args.rounds, rng)
    with UnitOfWork(engine) as uow:
        token = create_token(uow, "packer", "bench", lifetime_s=24 * 3600)
        uow.commit()
    dialect = engine.dialect.name
    print(f"setup: {len(skus)} SKUs, {len(plan)} orders on {dialect} in {time.perf_counter() - t0:.1f} s")
    servers = [serve(url, args.workers) for _ in range(args.instances)]
    packs = {code: (p.weight_g, p.tolerance_g) for code, p in packaging.items()}
    engine.dispose()  # the stations are forked: they must not share the parent's connections
    try:
        for r in range(args.rounds):
            jobs = list(enumerate(plan))[r * args.parcels:(r + 1) * args.parcels]
            if args.rounds > 1:
                print(f"\n== round {r + 1} of {args.rounds} on the same service ==")
            replay(args, jobs, servers, token, by_sku, skus, packs, dialect)
    finally:
        for server, _ in servers:
            server.stop(10)


def replay(args, jobs, servers, token, by_sku, skus, packs, dialect) -> None:
    """Pack `jobs` with the stations against the running service(s) and print the report."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    pids = [server.proc.pid for server, _ in servers]
    cpu_at_start = [_cpu_seconds(pid) for pid in pids]
    machine_at_start = _machine_busy()
    t0 = time.perf_counter()
    stations = [context.Process(target=run_station, args=(
        n + 1, jobs[n::args.stations], servers[n % len(servers)][1], token, args, by_sku, skus, packs, results))
        for n in range(args.stations)]
    for proc in stations:
        proc.start()
    outcomes, scan_ms, verdict_ms, errors, sent, server_scan_ms, server_verdict_ms = [], [], [], [], 0, [], []
    for _ in stations:
        got = results.get()
        outcomes += got["outcomes"]
        scan_ms += got["scan_ms"]
        verdict_ms += got["verdict_ms"]
        errors += got["errors"]
        sent += got["sent"]
        server_scan_ms += got["server_scan_ms"]
        server_verdict_ms += got["server_verdict_ms"]
    for proc in stations:
        proc.join()
    elapsed = time.perf_counter() - t0
    cpu_at_end = [_cpu_seconds(pid) for pid in pids]
    machine_at_end = _machine_busy()
    memory = [service_memory(pid) for pid in pids]
    server_cpu_s = None
    if None not in cpu_at_start and None not in cpu_at_end:
        server_cpu_s = sum(cpu_at_end) - sum(cpu_at_start)
    requests = sent
    print(f"service: {len(servers)} x wms serve --workers {args.workers} on {dialect}; {os.cpu_count()} CPU cores, "
          f"shared with the {args.stations} station processes")
    print(f"packer pace: {args.pace_ms:.0f} ms between scans (x0.5-1.5), {2 * args.pace_ms:.0f} ms on the scale")
    print(f"replayed {len(outcomes)} parcels with {args.stations} stations in {elapsed:.1f} s "
          f"({len(outcomes) / elapsed:.0f} parcels/s, {requests} requests); errors: {len(errors)}")
    if server_cpu_s is not None:
        print(f"service CPU: {server_cpu_s:.1f} s in all, {1000 * server_cpu_s / max(1, requests):.2f} ms per request")
    if machine_at_start and machine_at_end:
        busy = (machine_at_end[0] - machine_at_start[0]) / max(1, machine_at_end[1] - machine_at_start[1])
        print(f"machine CPU busy during the replay: {100 * busy:.0f}% of {os.cpu_count()} cores "
              "(service and stations together)")
    for i, mem in enumerate(memory):
        if mem:
            print(f"service {i + 1} memory (MiB, per process, the supervisor first): peak RSS (VmHWM) "
                  + ", ".join(f"{hwm:.0f}" for hwm, _ in mem.values()) + "; RSS now "
                  + ", ".join(f"{rss:.0f}" for _, rss in mem.values()))
    for e in errors[:5]:
        print("  error:", e)
    print(f"{'kind':10s} {'parcels':>8s} {'flagged':>9s} {'suspect named':>14s}")
    for kind in KINDS:
        rows = [o for o in outcomes if o[0] == kind]
        flagged = sum(1 for o in rows if o[1] != "pass")
        named = [o for o in rows if o[1] != "pass" and o[2] is not None]
        right = sum(1 for o in named if o[2])
        print(f"{kind:10s} {len(rows):8d} {100 * flagged / max(1, len(rows)):8.2f}% "
              f"{(100 * right / len(named)) if named else float('nan'):13.1f}%")
    heavy = [o for o in outcomes if o[0] == "missing" and o[3]]
    caught = sum(1 for o in heavy if o[1] != "pass")
    beyond_band = [o for o in outcomes if o[0] == "missing" and o[5]]
    caught_band = sum(1 for o in beyond_band if o[1] != "pass")
    # The words: a parcel's *tolerance* is "built from each SKU's weight spread"; a SKU
    # has a spread. So "missing items heavier than 3x their tolerance" are those heavier than
    # 3x the tolerance their parcel was checked with, the `tolerance_g` of the weighing.
    print(f"single missing item heavier than 3x its tolerance (the tolerance_g its parcel was checked with): "
          f"caught {caught_band}/{len(beyond_band)} = {100 * caught_band / max(1, len(beyond_band)):.2f}%  "
          "(target >= 99.5%)")
    print(f"  for scale: heavier than 3x its SKU's own spread (weight_tolerance_g): caught {caught}/{len(heavy)} = "
          f"{100 * caught / max(1, len(heavy)):.2f}%; an ideal check (each parcel's true spread known, 0.5% false "
          f"alarms on every parcel) would catch {100 * best_possible_catch(heavy):.2f}%: a light item in a big "
          "parcel hides in the other items' spread, which only scanning catches")
    correct = [o for o in outcomes if o[0] == "correct"]
    false_alarms = sum(1 for o in correct if o[1] != "pass")
    print(f"false alarms on correct parcels: {false_alarms}/{len(correct)} = "
          f"{100 * false_alarms / max(1, len(correct)):.2f}%  (target <= 0.5%)")
    print(f"scan latency ms:    p50 {pct(scan_ms, 50):.1f}  p99 {pct(scan_ms, 99):.1f}")
    print(f"scan latency ms:    p90 {pct(scan_ms, 90):.1f}  p95 {pct(scan_ms, 95):.1f}  max {max(scan_ms, default=0):.1f}")
    print(f"verdict latency ms: p50 {pct(verdict_ms, 50):.1f}  p99 {pct(verdict_ms, 99):.1f}  (target p99 <= 25 ms on SQLite)")
    print(f"verdict latency ms: p90 {pct(verdict_ms, 90):.1f}  p95 {pct(verdict_ms, 95):.1f}  max {max(verdict_ms, default=0):.1f}")
    print("inside the service (its Server-Timing header): request in to answer out; of which waiting for the")
    print("database's writer lock; and holding it (the request's reads and writes up to the commit):")
    for label, rows in (("scan", server_scan_ms), ("verdict", server_verdict_ms)):
        for metric, values in zip(SERVER_METRICS, zip(*rows)):
            print(f"  {label:8s} {metric:6s} p50 {pct(values, 50):5.1f}  p90 {pct(values, 90):5.1f}  "
                  f"p99 {pct(values, 99):5.1f}  max {max(values, default=0):6.1f} ms")


if __name__ == "__main__":
    main()
