"""The station agent: the packing station's scanner, scale and label printer, joined to
the service. `wms station run --config station.toml` runs one.

What runs:

- The scanner reader and the scale monitor (threads from `scanners`; both reopen their
  port by themselves after an unplug) hand each scan, and each new stable weight, to the
  agent, which writes it to the outbox (SQLite on the station's disk) before anything
  else happens. A weight is sent once per placement (`weights.PlacementGate`), not once
  per poll.
- The sender thread posts the outbox to `POST /api/stations/{station}/events`, oldest
  first, one at a time (`sender.OutboxSender`).
- The print thread claims the station's labels (`POST .../print-jobs/claim`, at once
  after a weighing that produced a tracking number, else every `claim_interval_s`),
  prints them (`labels.LabelPrinter`) and queues the outcome for
  `POST /api/print-jobs/{id}/result` in the same outbox.
- The heartbeat thread tells the service every `heartbeat_s` which devices are up and
  what the scale reads now.

Why resending is harmless: every event gets its id (`{station}-{uuid4}`) when it is
written to the outbox, and keeps it on every resend; the service stores the id with the
scan or weighing it produced and answers a repeated id with the earlier result
("replayed") without counting it again. Each event also carries `at`, the time it
happened, so a scan sent late (after an outage) is judged by when it was scanned, not by
when it arrived; a scan carries it as `scanned_at` too, with `source: "scanner"`: the
scanner's own timing is what lets the service tell its double read (the same code again
within 300 ms) from a second unit. A scan without both always counts.

What happens on each failure:

- Service down, network cut, timeout, 5xx: the event stays at the head of the outbox and
  is retried with back-off (0.2 s doubling to 5 s); later events wait behind it, so they
  reach the service once each and in order when it is back. An answer lost on the way
  back (timeout after the service acted) leads to a resend that the event id makes
  harmless.
- Token about to expire, or answered 401 token_expired: exchanged for a new one
  (`tokens.TokenKeeper`, kept beside the outbox for restarts) and the request sent again.
- Token refused (401/403), 408, 429: treated like "down": the events wait (the log says
  to check service.token) instead of being thrown away.
- A refusal about the event itself (409 wrong_item / over_scan / no_open_session,
  404 unknown_code, 422 ...): the service's final answer; it is shown (log / `on_answer`)
  and the event leaves the outbox. Resending it could never succeed.
- 409 double_read: the scanner's own repeat of the scan before it, recorded and not
  counted, as intended; the event leaves the outbox like any final answer (never retried)
  and the log says "double read, counted once". A packer who did scan a second unit
  confirms it at the station page (or `confirm_repeat(event)` here), which counts it.
- Agent killed or PC rebooted: events already in the outbox are sent after the restart
  (same ids). A scan is lost only if the process dies between the scanner's bytes
  arriving and the outbox write (microseconds); a scale placement is simply weighed again.
- Scanner or scale unplugged: the heartbeat reports it "down"; the reader/monitor keeps
  trying and resumes on replug (bytes sent while unplugged are gone: a scan the packer
  heard no beep for must be repeated).
- Printer out of paper, cover open, offline or unreachable: the label is not sent; the
  job's result says why, and the service keeps the job queued and offers it again with
  back-off, so it prints once the printer is fixed. A label that cannot be rendered is
  reported with `give_up` for a person to look at.
- Print result not deliverable (service down right after printing): the result waits
  in the outbox like an event. If the agent dies between printing and queueing the
  result, the service later marks the job "interrupted" for a person to decide on a
  reprint, since the label may be on paper.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scanners.agent.client import Answer, ServiceClient, ServiceUnavailable
from scanners.agent.components import ComponentRelay
from scanners.agent.config import AgentConfig
from scanners.agent.labels import LabelPrinter
from scanners.agent.messages import describe_answer
from scanners.agent.outbox import Entry, Outbox, new_event_id
from scanners.agent.sender import OutboxSender
from scanners.agent.tokens import TokenKeeper, state_file_for
from scanners.agent.weights import PlacementGate
from scanners.errors import DeviceDisconnected, DeviceError, DeviceTimeout
from scanners.readings import OVERLOAD, UNDERLOAD, Reading
from scanners.scale import Scale, ScaleMonitor
from scanners.scanner import Scan, ScannerReader

log = logging.getLogger("wms.station")

OnAnswer = Callable[[dict[str, Any], Any], None]
PRINTER_RECHECK_S = 30.0  # ask an idle printer for its status this often


def _log_answer(event: dict[str, Any], answer: Any) -> None:
    log.info("%s", describe_answer(event, answer))


def iso_utc(epoch: float | None = None) -> str:
    """ISO-8601 UTC time with milliseconds, e.g. 2026-11-23T08:15:02.125+00:00."""
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, UTC)
    return moment.isoformat(timespec="milliseconds")


class StationAgent:
    """Joins one station's devices to the service; `start()` it, `stop()` it.

    `on_answer(event, answer)` hears the service's answer to each scan or weight event:
    `answer` is the JSON the service sent (`{"action", "result"}`, or for a refusal
    `{"error", "message"}`). It runs in the sender thread; keep it quick.
    """

    def __init__(self, config: AgentConfig, on_answer: OnAnswer | None = None) -> None:
        self.config = config
        self.on_answer = on_answer or _log_answer
        self.outbox = Outbox(config.outbox)
        self.devices: dict[str, str] = {}
        self.weight: Reading | None = None
        self.printer = LabelPrinter(config.printer) if config.printer else None
        self.components = ComponentRelay(config.components.addresses, config.components.printer,
                                         config.components.timeout_s)
        self.gate = PlacementGate(*(
            (config.scale.empty_below_g, config.scale.resend_delta_g, config.scale.settle_s)
            if config.scale else ()))
        self._events_path = f"/api/stations/{config.station}/events"
        self._stop = threading.Event()
        self._print_wake = threading.Event()
        self._threads: list[threading.Thread] = []
        self._scanner: ScannerReader | None = None
        self._scale_monitor: ScaleMonitor | None = None
        self._sender: OutboxSender | None = None
        self._clients: list[ServiceClient] = []
        self.tokens = TokenKeeper(config.service.url, config.service.token, state_file_for(config.outbox),
                                  config.service.timeout_s)

    @property
    def service_state(self) -> str:
        """Whether events get through: "up" after an answer, "unreachable" while they wait."""
        return self._sender.state if self._sender is not None else "stopped"

    # -- events in ---------------------------------------------------------------------
    def record_scan(self, code: str, at: float | None = None) -> str:
        """Queue a code the scanner read (at epoch `at`, default now); returns its event id."""
        event_id = new_event_id(self.config.station)
        when = iso_utc(at)
        self.outbox.put(self._events_path, {"event_id": event_id, "kind": "scan", "code": code, "at": when,
                                            "scanned_at": when, "source": "scanner"}, key=event_id)
        return event_id

    def confirm_repeat(self, event: dict[str, Any]) -> str:
        """Queue the packer's "yes, a second unit" for a scan answered 409 double_read; it counts.

        Sent under the same event id with `confirm_repeat`: resent, it still counts once."""
        body = {**event, "confirm_repeat": True}
        key = f"{event.get('event_id')}:confirm"
        self.outbox.put(self._events_path, body, key=key)
        return key

    def record_weight(self, grams: int, at: float | None = None) -> str:
        """Queue a stable weight; returns its event id."""
        event_id = new_event_id(self.config.station)
        scale_id = self.config.scale.scale_id if self.config.scale else None
        body = {"event_id": event_id, "kind": "weight", "grams": int(grams), "stable": True,
                "scale_id": scale_id, "at": iso_utc(at)}
        self.outbox.put(self._events_path, body, key=event_id)
        return event_id

    def _on_scan(self, scan: Scan) -> None:
        self.record_scan(scan.code, scan.at)

    def _on_scanner_status(self, up: bool, error: str | None) -> None:
        self.devices["scanner"] = "up" if up else "down"
        if not up:
            log.warning("scanner down: %s", error or "port closed")
        else:
            log.info("scanner up")

    def _on_reading(self, reading: Reading) -> None:
        self.weight = reading
        if reading.error in (OVERLOAD, UNDERLOAD):
            self.devices["scale"] = reading.error
        else:
            self.devices["scale"] = "up" if reading.ok else "error"
        grams = self.gate.offer(reading)
        if grams is not None:
            self.record_weight(grams)

    def _on_scale_error(self, error: DeviceError) -> None:
        state = "down" if isinstance(error, (DeviceDisconnected, DeviceTimeout)) else "error"
        if self.devices.get("scale") != state:
            log.warning("scale %s: %s", state, error)
        self.devices["scale"] = state
        self.weight = None

    # -- answers -----------------------------------------------------------------------
    def _on_sent(self, entry: Entry, answer: Answer) -> None:
        if entry.path != self._events_path:  # a print result: the service only acknowledges it
            if not answer.ok:
                log.warning("print result for %s refused: %s %s", entry.path, answer.error,
                            answer.message)
            return
        result = answer.body.get("result") if isinstance(answer.body, dict) else None
        if isinstance(result, dict) and result.get("tracking_no"):
            self._print_wake.set()  # a label was just queued for us
        self.on_answer(entry.body, answer.body)

    # -- loops -------------------------------------------------------------------------
    def _client(self, timeout_s: float | None = None) -> ServiceClient:
        svc = self.config.service
        client = ServiceClient(svc.url, self.tokens, timeout_s or svc.timeout_s)
        self._clients.append(client)
        return client

    def _print_loop(self, printer: LabelPrinter, client: ServiceClient) -> None:
        claim = f"/api/stations/{self.config.station}/print-jobs/claim"
        interval = self.config.printer.claim_interval_s if self.config.printer else 2.0
        while not self._stop.is_set():
            try:
                answer = client.post(claim)
                body = answer.body if answer.ok and isinstance(answer.body, dict) else {}
                job = body.get("job")
            except ServiceUnavailable:
                job = None
            if job:
                self._print_job(printer, job)
                continue  # more labels may be waiting
            self._print_wake.wait(interval)
            self._print_wake.clear()

    def _print_job(self, printer: LabelPrinter, job: dict[str, Any]) -> None:
        waybill = job.get("waybill") or {}
        if waybill.get("component"):  # a platform e-waybill: its print component prints it
            outcome = self.components.print_document(waybill)
        else:
            outcome = printer.print_waybill(waybill)
            self.devices["printer"] = printer.state
        if outcome.ok:
            log.info("printed label %s (job %s)", job.get("tracking_no"), job.get("job_id"))
        else:
            log.warning("label %s not printed: %s", job.get("tracking_no"), outcome.error)
        key = f"{self.config.station}-print-{job.get('job_id')}-{new_event_id('r')}"
        self.outbox.put(f"/api/print-jobs/{job.get('job_id')}/result", outcome.as_result(), key=key)
        if not outcome.ok:
            self._stop.wait(1.0)  # the service backs the job off; do not spin on a broken printer

    def heartbeat_body(self) -> dict[str, Any]:
        reading = self.weight
        has_weight = reading is not None and reading.ok
        return {"devices": dict(self.devices),
                "weight_g": reading.grams if has_weight and reading else None,
                "stable": reading.stable if has_weight and reading else None,
                "outbox_waiting": len(self.outbox)}

    def _heartbeat_loop(self, client: ServiceClient) -> None:
        last_check = 0.0
        while not self._stop.is_set():
            printer = self.printer
            if printer is not None and time.monotonic() - last_check > PRINTER_RECHECK_S:
                self.devices["printer"] = printer.check()
                last_check = time.monotonic()
            try:
                client.post(f"/api/stations/{self.config.station}/heartbeat", self.heartbeat_body())
            except ServiceUnavailable as exc:
                log.debug("heartbeat not delivered: %s", exc)
            self._stop.wait(self.config.heartbeat_s)

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> StationAgent:
        cfg = self.config
        if cfg.scanner:
            sc = cfg.scanner
            self.devices["scanner"] = "down"
            self._scanner = ScannerReader(
                sc.port, on_scan=self._on_scan, on_status=self._on_scanner_status, prefix=sc.prefix,
                suffix=sc.suffix, aim_ids=sc.aim_ids,  # type: ignore[arg-type]
                idle_flush=sc.idle_flush_s or None, baudrate=sc.baudrate).start()
        if cfg.scale:
            self.devices["scale"] = "down"
            scale = Scale(cfg.scale.port, cfg.scale.protocol, baudrate=cfg.scale.baudrate)
            self._scale_monitor = ScaleMonitor(
                scale, self._on_reading, on_error=self._on_scale_error,
                interval=cfg.scale.poll_interval_s).start()
        self._sender = OutboxSender(self.outbox, self._client(), self._on_sent).start()
        self._spawn(self._heartbeat_loop, self._client(min(cfg.service.timeout_s, 5.0)))
        if self.printer is not None:
            self.devices["printer"] = self.printer.state
            self._spawn(self._print_loop, self.printer, self._client())
        return self

    def _spawn(self, loop: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=loop, args=args, name=loop.__name__.strip("_"),
                                  daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Stop reading devices, finish the request in flight, close the outbox."""
        for device in (self._scanner, self._scale_monitor):
            if device is not None:
                device.stop()
        self._stop.set()
        self._print_wake.set()
        if self._sender is not None:
            self._sender.stop(self.config.service.timeout_s + 5)
        for thread in self._threads:
            thread.join(self.config.service.timeout_s + 5)
        for client in self._clients:
            client.close()
        self.tokens.close()
        self.outbox.close()

    def __enter__(self) -> StationAgent:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
