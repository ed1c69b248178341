"""Label throughput: render + send each format to a local raw-TCP "printer" and print the figures.

For each format at 203 and 300 dpi: labels per second, mean and p95 time per label
(validate + layout + render + connect + send + close), time to first byte (from the call
until the printer's socket receives the first byte), bytes per label. Then python-escpos's
own image printing (`escpos.printer.Dummy().image`) of the very same bitmap, against our
ESC/POS encoder. Target: under 50 ms per label at 203 dpi.

    PYTHONPATH=. .venv/bin/python bench/labels.py [--labels 40]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printing.printer import print_label  # noqa: E402
from printing.render import render_bitmap  # noqa: E402
from printing.render.escpos import encode_escpos  # noqa: E402
from printing.waybill import SAMPLE_WAYBILL, Waybill  # noqa: E402

FORMATS = ("escpos", "zpl", "tspl", "png", "pdf")
TARGET_MS = 50.0


class Sink:
    """A raw port-9100 printer on 127.0.0.1 that notes when each job's first byte arrives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.first_byte: list[float] = []
        self.done = threading.Semaphore(0)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                first = True
                while conn.recv(262144):
                    if first:
                        self.first_byte.append(time.perf_counter())
                        first = False
            self.done.release()

    def close(self) -> None:
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()


def waybills(n: int) -> list[Waybill]:
    """Distinct tracking numbers and addresses, so no cache sees the same label twice."""
    out = []
    for i in range(n):
        d = copy.deepcopy(SAMPLE_WAYBILL)
        d["tracking_no"] = f"SF14{i:011d}"
        d["recipient"]["address"] = f"科技园南区高新南七道 {18 + i} 号 {i % 9 + 1} 栋 {1200 + i}"
        out.append(Waybill.from_dict(d))
    return out


def bench_format(fmt: str, dpi: int, labels: list[Waybill], sink: Sink) -> dict:
    per_label, ttfb, sizes = [], [], []
    start_all = time.perf_counter()
    for w in labels:
        t0 = time.perf_counter()
        data = print_label(w, fmt, "100x150", dpi, sink.url)
        t1 = time.perf_counter()
        sink.done.acquire(timeout=5)
        per_label.append(t1 - t0)
        ttfb.append(sink.first_byte[-1] - t0)
        sizes.append(len(data))
    elapsed = time.perf_counter() - start_all
    return {
        "fmt": fmt, "dpi": dpi, "lps": len(labels) / elapsed,
        "mean": statistics.mean(per_label) * 1000,
        "p95": sorted(per_label)[int(0.95 * (len(per_label) - 1))] * 1000,
        "ttfb": statistics.median(ttfb) * 1000, "bytes": statistics.mean(sizes),
    }


def bench_python_escpos(dpi: int, repeat: int) -> None:
    try:
        from escpos.printer import Dummy
    except ImportError:
        print("python-escpos not installed: skipped the comparison")
        return
    bitmap = render_bitmap(Waybill.from_dict(SAMPLE_WAYBILL), "100x150", dpi)
    ours, theirs = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        our_bytes = encode_escpos(bitmap)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        printer = Dummy()
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a profile warning
            printer.image(bitmap)
        their_bytes = printer.output
        theirs.append(time.perf_counter() - t)
    print(f"  {dpi} dpi bitmap {bitmap.width}x{bitmap.height}: "
          f"ours {statistics.median(ours) * 1000:6.2f} ms, {len(our_bytes):7d} bytes | "
          f"python-escpos Dummy().image {statistics.median(theirs) * 1000:6.2f} ms, "
          f"{len(their_bytes):7d} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=40, help="labels per format and dpi")
    args = parser.parse_args()

    sink = Sink()
    t0 = time.perf_counter()
    print_label(Waybill.from_dict(SAMPLE_WAYBILL), "pdf", url=sink.url)  # loads the font
    sink.done.acquire(timeout=5)
    print(f"cold start (font search + load, first PDF): {(time.perf_counter() - t0) * 1000:.0f} ms")

    labels = waybills(args.labels)
    print(f"\n{args.labels} labels of 100x150 mm per row, each rendered and sent over its own "
          "TCP connection to 127.0.0.1\n")
    header = (f"{'format':8} {'dpi':>4} {'labels/s':>9} {'mean ms':>8} {'p95 ms':>7} "
              f"{'TTFB ms':>8} {'bytes/label':>12}")
    print(header)
    print("-" * len(header))
    results = []
    for dpi in (203, 300):
        for fmt in FORMATS:
            r = bench_format(fmt, dpi, labels, sink)
            results.append(r)
            print(f"{r['fmt']:8} {r['dpi']:>4} {r['lps']:9.1f} {r['mean']:8.1f} {r['p95']:7.1f} "
                  f"{r['ttfb']:8.1f} {r['bytes']:12.0f}")
    sink.close()

    print("\nESC/POS encoding of the same 1-bit bitmap (encoding only):")
    for dpi in (203, 300):
        bench_python_escpos(dpi, repeat=10)

    slow = [r for r in results if r["dpi"] == 203 and r["mean"] > TARGET_MS]
    verdict = "met" if not slow else "MISSED for " + ", ".join(r["fmt"] for r in slow)
    print(f"\ntarget: render + send under {TARGET_MS:.0f} ms per label at 203 dpi: {verdict}")


if __name__ == "__main__":
    main()
