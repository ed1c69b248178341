"""A station runs end to end: emulated scanner, scale and printer, the agent, the real service,
and the service killed and restarted in the middle: no scan lost or doubled."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scanners.emulators.escpos_printer import EscPosPrinter
from scanners.emulators.mt_sics import MtSicsScale
from scanners.emulators.scanner import SerialScanner
from scanners.station.agent import StationAgent
from scanners.station.config import parse_config
from wms.domain.codes import gtin_check_digit

ROOT = Path(__file__).resolve().parents[2]
WMS = [sys.executable, "-c", "from wms.cli import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def ean(n: int) -> str:
    body = f"69300000{n:04d}"
    return body + str(gtin_check_digit(body))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wms(*args: str) -> str:
    return subprocess.run([*WMS, *args], env=ENV, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


class Service:
    def __init__(self, db: str, port: int):
        self.db, self.port, self.proc = db, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen([*WMS, "serve", "--database", self.db, "--port", str(self.port),
                                      "--no-print-worker"], env=ENV, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: _up(self.port), 30, "service did not start")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


def _up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(cond, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(what)


@pytest.fixture
def service(tmp_path):
    db = f"sqlite:///{tmp_path}/wms.db"
    svc = Service(db, free_port())
    admin = wms("token", "create", "--role", "admin", "--name", "lead", "--database", db)
    packer = wms("token", "create", "--role", "packer", "--name", "agent-PK-01", "--database", db)
    svc.start()
    yield svc, admin, packer
    if svc.proc and svc.proc.poll() is None:
        svc.kill()


def test_a_station_packs_through_a_service_restart_without_losing_or_doubling_a_scan(service, tmp_path):
    svc, admin_token, packer_token = service
    base = f"http://127.0.0.1:{svc.port}"
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=10)
    for n, (sku, grams) in enumerate((("TEE", 180), ("SOCK", 48))):
        assert admin.post("/api/skus", json={"sku": sku, "name": sku, "barcodes": [ean(n)], "unit_weight_g": grams,
                                             "weight_tolerance_g": 3}).status_code == 201
        admin.post("/api/stock/receipts", json={"sku": sku, "bin": f"A01-0{n + 1}-1", "qty": 10})
    r = admin.post("/api/orders", json={"order_no": "TB-E2E-1", "recipient": {
        "name": "张三", "phone": "13812345678", "province": "广东省", "city": "深圳市", "district": "南山区",
        "address": "科技园南区 18 号"}, "lines": [{"sku": "TEE", "qty": 1}, {"sku": "SOCK", "qty": 2}]})
    assert r.json()["status"] == "reserved"

    scanner = SerialScanner().start()
    scale = MtSicsScale(0).start()
    printer = EscPosPrinter(transport="tcp").start()
    answers = []
    config = parse_config({
        "station": "PK-01", "outbox": str(tmp_path / "outbox.db"), "heartbeat_s": 0.5,
        "service": {"url": base, "token": packer_token},
        "scanner": {"port": scanner.path}, "scale": {"port": scale.path, "protocol": "mt-sics", "scale_id": "SC-1"},
        "printer": {"url": printer.path.replace("socket://", "tcp://"), "format": "escpos"},
    })
    agent = StationAgent(config, on_answer=lambda e, a: answers.append((e, a))).start()
    try:
        wait_for(lambda: agent.devices.get("scanner") == "up", 10, "scanner not connected")
        scanner.emit("TB-E2E-1")
        scanner.emit(ean(0), aim="]E0")
        wait_for(lambda: len(answers) >= 2, 15, "first scans not answered")
        svc.kill()  # the service goes away mid-order
        time.sleep(0.2)  # the packer keeps scanning (two socks, 1.5 s apart)
        scanner.emit(ean(1), aim="]E0")
        time.sleep(1.5)
        scanner.emit(ean(1), aim="]E0")
        wait_for(lambda: len(agent.outbox) == 2, 10, "scans not queued while the service was down")
        svc.start()
        wait_for(lambda: len(answers) >= 4, 20, "queued scans not sent after the restart")
        scale.set_weight(276, stable=True)  # 180 + 2 x 48
        wait_for(lambda: any(e["kind"] == "weight" for e, _ in answers), 20, "no weight sent")
        weighed = next(a for e, a in answers if e["kind"] == "weight")
        assert weighed["result"]["verdict"] == "pass", weighed
        tracking = weighed["result"]["tracking_no"]
        assert tracking
        assert printer.wait_received(lambda b: b"\x1dv0" in b and b"\x1dV" in b, timeout=20)
        session = admin.get(f"/api/pack/sessions/{weighed['result']['session_id']}").json()
        assert {l["sku"]: l["scanned"] for l in session["lines"]} == {"TEE": 1, "SOCK": 2}
        assert [a["action"] for _, a in answers if isinstance(a, dict)] == [
            "opened", "scanned", "scanned", "scanned", "weighed"]
        jobs = wait_for(lambda: [j for j in admin.get("/api/print-jobs", params={"tracking_no": tracking}).json()
                                 if j["status"] == "printed"], 10, "print job not marked printed")
        assert len(jobs) == 1
        station = admin.get("/api/stations/PK-01").json()
        assert station["online"] and station["devices"]["scanner"] == "up"
    finally:
        agent.stop()
        for device in (scanner, scale, printer):
            device.stop()
