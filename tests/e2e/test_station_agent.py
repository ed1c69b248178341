"""A packing station end to end: emulated scanner, scale and ESC/POS printer, the station
agent, and the real service in its own process, killed and restarted mid-order while
the agent itself is restarted too: no scan is lost or counted twice, the parcel passes,
and its label is held back while the printer is out of paper, then printed once."""

from __future__ import annotations

import os
import socket
import sqlite3
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanners.agent.agent import StationAgent
from scanners.agent.config import parse_config
from scanners.emulators.escpos_printer import EscPosPrinter
from scanners.emulators.mt_sics import MtSicsScale
from scanners.emulators.scanner import SerialScanner
from wms.domain.codes import gtin_check_digit

ROOT = Path(__file__).resolve().parents[2]
WMS = [sys.executable, "-c", "from wms.cli import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RASTER = b"\x1dv0"  # ESC/POS GS v 0: a raster image, i.e. the label itself
ORDER = "TB-E2E-1"


def ean(n: int) -> str:
    body = f"69300000{n:04d}"
    return body + str(gtin_check_digit(body))


TEE, SOCK = ean(0), ean(1)


def labels_in(stream: bytes) -> int:
    """How many labels an ESC/POS stream holds: cuts (GS V B n) outside raster data."""
    i = cuts = 0
    while i < len(stream):
        if stream.startswith(RASTER, i):
            width_bytes, rows = struct.unpack_from("<HH", stream, i + 4)
            i += 8 + width_bytes * rows
        elif stream.startswith(b"\x1dVB", i):
            cuts, i = cuts + 1, i + 4
        else:
            i += 1
    return cuts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out: {what}")


def wms(*args: str) -> str:
    return subprocess.run([*WMS, *args], env=ENV, cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


class Service:
    """`wms serve` in a subprocess; kill() is a crash (SIGKILL), start() the restart."""

    def __init__(self, db_url: str, port: int) -> None:
        self.db_url, self.port = db_url, port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([*WMS, "serve", "--database", self.db_url, "--port", str(self.port)],
                                     env=ENV, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.up, 30, "the service to start")

    def up(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/openapi.json", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def service(tmp_path):
    db_file = tmp_path / "wms.db"
    db_url = f"sqlite:///{db_file}"
    admin = wms("token", "create", "--role", "admin", "--name", "lead", "--database", db_url)
    packer = wms("token", "create", "--role", "packer", "--name", "agent", "--database", db_url)
    svc = Service(db_url, free_port())
    svc.start()
    yield svc, db_file, admin, packer
    svc.kill()


@pytest.fixture
def devices(tmp_path):
    scanner = SerialScanner(link=tmp_path / "scanner").start()  # a stable path, like /dev/serial/by-id
    scale = MtSicsScale(0).start()
    printer = EscPosPrinter(transport="tcp", paper_out=True).start()
    yield scanner, scale, printer
    for device in (scanner, scale, printer):
        device.stop()


def load_order(admin: httpx.Client) -> None:
    for n, (sku, grams) in enumerate((("TEE", 180), ("SOCK", 48))):
        r = admin.post("/api/skus", json={"sku": sku, "name": sku, "barcodes": [ean(n)],
                                          "unit_weight_g": grams, "weight_tolerance_g": 3})
        assert r.status_code == 201, r.text
        r = admin.post("/api/stock/receipts", json={"sku": sku, "bin": f"A01-0{n + 1}-1", "qty": 10})
        assert r.status_code < 300, r.text
    r = admin.post("/api/orders", json={"order_no": ORDER, "recipient": {
        "name": "张三", "phone": "13812345678", "province": "广东省", "city": "深圳市", "district": "南山区",
        "address": "科技园南区 18 号"}, "lines": [{"sku": "TEE", "qty": 1}, {"sku": "SOCK", "qty": 2}]})
    assert r.status_code == 201, r.text


def test_a_station_packs_through_a_service_crash_and_an_agent_restart_without_losing_or_doubling_a_scan(
        service, devices, tmp_path):
    svc, db_file, admin_token, packer_token = service
    scanner, scale, printer = devices
    base = f"http://127.0.0.1:{svc.port}"
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10)
    load_order(admin)

    config = parse_config({
        "station": "PK-01", "outbox": str(tmp_path / "outbox.db"), "heartbeat_s": 0.3,
        "service": {"url": base, "token": packer_token, "timeout_s": 5},
        "scanner": {"port": scanner.path},
        "scale": {"port": scale.path, "protocol": "mt-sics", "scale_id": "SC-1", "poll_interval_s": 0.1,
                  "settle_s": 0.2},
        "printer": {"url": printer.path.replace("socket://", "tcp://"), "format": "escpos",
                    "claim_interval_s": 0.3},
    })
    answers: list[tuple[dict, Any]] = []

    def run_agent() -> StationAgent:
        agent = StationAgent(config, on_answer=lambda event, answer: answers.append((event, answer))).start()
        wait_for(lambda: agent.devices.get("scanner") == "up", 10, "the scanner to connect")
        return agent

    agent = run_agent()
    try:
        scanner.emit(ORDER)
        wait_for(lambda: len(answers) == 1, 15, "the order scan to be answered")
        scanner.unplug()  # the packer knocks the scanner's cable out and plugs it back in
        wait_for(lambda: agent.devices["scanner"] == "down", 10, "the unplug to be noticed")
        scanner.replug()
        wait_for(lambda: agent.devices["scanner"] == "up", 10, "the scanner to reconnect")
        scanner.emit(TEE, aim="]E0")
        wait_for(lambda: len(answers) == 2, 15, "the first item to be answered")

        svc.kill()  # the service crashes mid-order; the packer keeps scanning
        scanner.emit(SOCK, aim="]E0")
        first_sock = time.monotonic()
        wait_for(lambda: len(agent.outbox) == 1, 10, "the scan to wait in the outbox")
        agent.stop()  # ... and the station PC is restarted too
        agent = run_agent()
        assert len(agent.outbox) == 1
        time.sleep(max(0.0, first_sock + 0.5 - time.monotonic()))  # a second sock, not a double read
        scanner.emit(SOCK, aim="]E0")
        wait_for(lambda: len(agent.outbox) == 2, 10, "the second scan to wait in the outbox")
        assert len(answers) == 2

        svc.start()  # back on the same port and database
        wait_for(lambda: len(answers) == 4, 20, "the queued scans to be answered after the restart")
        wait_for(lambda: agent.devices.get("scale") == "up", 10, "the scale to report")
        scale.set_weight(276, stable=True)  # 180 + 2 x 48
        wait_for(lambda: len(answers) == 5, 20, "the weight to be answered")

        event, weighed = answers[4]
        assert (event["kind"], event["grams"], event["scale_id"]) == ("weight", 276, "SC-1")
        assert weighed["action"] == "weighed" and weighed["result"]["verdict"] == "pass", weighed
        tracking = weighed["result"]["tracking_no"]
        assert tracking

        def job() -> dict:
            jobs = admin.get("/api/print-jobs", params={"tracking_no": tracking}).json()
            assert len(jobs) == 1
            return jobs[0]

        # out of paper: the label is held back, not sent into the printer
        wait_for(lambda: "paper out" in (job()["last_error"] or ""), 15, "the paper-out failure to be reported")
        assert agent.devices["printer"] == "paper_out"
        assert job()["status"] == "queued" and RASTER not in printer.received

        printer.paper_out = False  # paper loaded: the service offers the job again and it prints
        wait_for(lambda: job()["status"] == "printed", 20, "the print job to be marked printed")
        assert printer.wait_received(lambda got: labels_in(got) == 1, timeout=5)
        wait_for(lambda: admin.get("/api/stations/PK-01").json()["devices"].get("printer") == "up", 10,
                 "the heartbeat to report the printer up")
    finally:
        agent.stop()

    assert [a.get("action") for _, a in answers] == ["opened", "scanned", "scanned", "scanned", "weighed"]
    session = admin.get(f"/api/pack/sessions/{weighed['result']['session_id']}").json()
    assert {line["sku"]: line["scanned"] for line in session["lines"]} == {"TEE": 1, "SOCK": 2}
    assert session["status"] == "passed" and session["tracking_no"] == tracking

    db = sqlite3.connect(db_file)
    recorded = db.execute("SELECT code, outcome, event_id FROM pack_scan WHERE session_id = ? ORDER BY id",
                          (session["session_id"],)).fetchall()
    db.close()
    item_events = [e for e, _ in answers[1:4]]
    assert recorded == [(e["code"], "accepted", e["event_id"]) for e in item_events]
    assert [code for code, _, _ in recorded] == [TEE, SOCK, SOCK]

    weighings = admin.get(f"/api/parcels/{tracking}/weighings").json()
    assert [(w["grams"], w["verdict"], w["station"]) for w in weighings] == [(276, "pass", "PK-01")]
