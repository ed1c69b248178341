"""The station agent loop: devices in, events out, labels back.

- The scanner reader and the scale monitor (both reconnect by themselves after an
  unplug) put each scan and each new stable weight into the outbox.
- One sender thread sends the outbox in order. A 2xx or 4xx answer ends an event (a 4xx
  such as wrong_item is the service's final word, shown to the packer); a network error,
  timeout or 5xx leaves it queued and the sender retries with back-off, so a service
  restart or network drop delays events but never loses or reorders them.
- A weight is sent once per placement: a stable reading above `min_grams` that differs
  from the last one sent; taking the parcel off (a reading under `min_grams`) re-arms.
- A printer thread claims the station's queued labels, checks the printer's status where
  its protocol has one, prints, and reports the outcome, so a printer out of paper keeps
  its jobs on the service.
- A heartbeat tells the service which devices are up and what the scale reads now.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Any, Callable

import httpx

from printing.printer import print_label
from printing.status import printer_status
from printing.transports import TransportError, open_transport
from printing.waybill import WaybillError
from scanners.errors import DeviceError
from scanners.readings import Reading
from scanners.scale import Scale, ScaleMonitor
from scanners.scanner import Scan, ScannerReader
from scanners.station.config import StationConfig
from scanners.station.outbox import Outbox

log = logging.getLogger("wms.station")
_STATUS_URLS = ("tcp://", "socket://", "serial://", "/dev/", "rfc2217://")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class StationAgent:
    def __init__(self, config: StationConfig, on_answer: Callable[[dict[str, Any], Any], None] | None = None):
        self.config = config
        self.outbox = Outbox(config.outbox)
        self.on_answer = on_answer or (lambda event, answer: log.info("%s -> %s", event.get("kind"), answer))
        self.devices: dict[str, str] = {}
        self.weight: Reading | None = None
        self._armed = True
        self._last_sent_g: int | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._scanner: ScannerReader | None = None
        self._scale: ScaleMonitor | None = None
        self.http = httpx.Client(base_url=config.service_url, timeout=10.0,
                                 headers={"Authorization": f"Bearer {config.token}"})

    # -- devices ------------------------------------------------------------------
    def _on_scan(self, scan: Scan) -> None:
        self.outbox.put(self.config.station, {"kind": "scan", "code": scan.code, "at": _now()})

    def _on_scanner_status(self, up: bool, error: str | None) -> None:
        self.devices["scanner"] = "up" if up else f"down: {error or 'unplugged'}"

    def _on_reading(self, reading: Reading) -> None:
        self.weight = reading
        self.devices["scale"] = "up" if not reading.error else reading.error
        min_g = int(self.config.scale.get("min_grams", 5))
        if reading.error or not reading.stable:
            return
        if reading.grams < min_g:
            self._armed = True  # the parcel came off: the next one is a new placement
            return
        changed = self._last_sent_g is None or abs(reading.grams - self._last_sent_g) > max(2, min_g)
        if self._armed or changed:
            self._armed = False
            self._last_sent_g = reading.grams
            self.outbox.put(self.config.station, {
                "kind": "weight", "grams": reading.grams, "stable": True,
                "scale_id": self.config.scale.get("scale_id"), "at": _now()})

    def _on_scale_error(self, error: DeviceError) -> None:
        self.devices["scale"] = f"down: {error}"

    # -- loops --------------------------------------------------------------------
    def _send_loop(self) -> None:
        backoff = 0.2
        while not self._stop.is_set():
            item = self.outbox.peek()
            if item is None:
                self.outbox.changed.wait(0.5)
                self.outbox.changed.clear()
                continue
            seq, event = item
            try:
                r = self.http.post(f"/api/stations/{self.config.station}/events", json=event)
            except httpx.HTTPError as exc:
                self.devices["service"] = f"unreachable: {type(exc).__name__}"
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if r.status_code >= 500:
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            backoff = 0.2
            self.devices["service"] = "up"
            self.outbox.done(seq)
            self.on_answer(event, r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text)

    def _print_loop(self) -> None:
        printer = self.config.printer
        while not self._stop.wait(0.5):
            try:
                r = self.http.post(f"/api/stations/{self.config.station}/print-jobs/claim")
                job = r.json().get("job") if r.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                continue
            if not job:
                continue
            result = self._print(job, printer)
            try:
                self.http.post(f"/api/print-jobs/{job['job_id']}/result", json=result)
            except httpx.HTTPError:
                log.warning("could not report print job %s; the service will ask a person", job["job_id"])

    def _print(self, job: dict[str, Any], printer: dict[str, Any]) -> dict[str, Any]:
        fmt = printer.get("format", "escpos")
        url = printer["url"]
        if url.startswith(_STATUS_URLS):
            try:
                with open_transport(url, timeout=2.0) as transport:
                    status = printer_status(transport, fmt, timeout=1.0)
                if status.known and not status.ready:
                    self.devices["printer"] = status.describe()
                    return {"ok": False, "error": status.describe()}
            except (TransportError, OSError) as exc:
                self.devices["printer"] = f"down: {exc}"
                return {"ok": False, "error": f"printer unreachable: {exc}"}
        try:
            print_label(job["waybill"], fmt, printer.get("size", "100x150"), int(printer.get("dpi", 203)), url)
        except WaybillError as exc:
            return {"ok": False, "error": f"bad label: {exc}", "give_up": True}
        except (TransportError, OSError) as exc:
            self.devices["printer"] = f"down: {exc}"
            return {"ok": False, "error": str(exc)}
        self.devices["printer"] = "up"
        return {"ok": True}

    def _heartbeat_loop(self) -> None:
        while not self._stop.is_set():
            w = self.weight
            try:
                self.http.post(f"/api/stations/{self.config.station}/heartbeat", json={
                    "devices": dict(self.devices), "weight_g": w.grams if w and not w.error else None,
                    "stable": w.stable if w else None})
            except httpx.HTTPError:
                pass
            self._stop.wait(self.config.heartbeat_s)

    # -- lifecycle ----------------------------------------------------------------
    def start(self) -> "StationAgent":
        cfg = self.config
        if cfg.scanner:
            self._scanner = ScannerReader(
                cfg.scanner["port"], on_scan=self._on_scan, on_status=self._on_scanner_status,
                prefix=cfg.scanner.get("prefix", ""), suffix=cfg.scanner.get("suffix", ""),
                aim_ids={"on": True, "off": False}.get(cfg.scanner.get("aim_ids", "auto"), "auto"),  # type: ignore[arg-type]
            ).start()
        if cfg.scale:
            scale = Scale(cfg.scale["port"], cfg.scale.get("protocol", "mt-sics"))
            self._scale = ScaleMonitor(scale, self._on_reading, on_error=self._on_scale_error,
                                       interval=float(cfg.scale.get("interval", 0.2))).start()
        loops = [self._send_loop, self._heartbeat_loop] + ([self._print_loop] if cfg.printer else [])
        for loop in loops:
            t = threading.Thread(target=loop, name=loop.__name__, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.outbox.changed.set()
        for device in (self._scanner, self._scale):
            if device is not None:
                device.stop()
        for t in self._threads:
            t.join(5)
        self.http.close()
        self.outbox.close()
