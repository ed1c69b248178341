"""The station's label printer: render a claimed waybill, check the printer, send it.

The label is rendered completely before the printer is opened, so a bad waybill puts
nothing on the wire (the job is reported with `give_up`: retrying cannot help). Before
sending, the printer is asked for its status where the protocol has one (ESC/POS DLE
EOT, ZPL ~HS, TSPL <ESC>!?) on the same connection: paper out, cover open or offline
is reported as a failure and the job stays queued on the service (which retries it
with back-off) instead of disappearing into a printer that cannot print it. A printer
that does not answer the query at all is sent the label anyway (many cheap printers
ignore status requests), and the outcome says so.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from printing.render import render
from printing.status import Status, printer_status
from printing.transports import TransportError, open_transport
from printing.waybill import Waybill, WaybillError
from scanners.agent.config import PrinterConfig

log = logging.getLogger("wms.station.printer")


@dataclass(frozen=True)
class PrintOutcome:
    ok: bool
    error: str | None = None
    give_up: bool = False  # the label itself is bad: a person must look, not a retry

    def as_result(self) -> dict[str, Any]:
        """The body of POST /api/print-jobs/{id}/result."""
        body: dict[str, Any] = {"ok": self.ok}
        if self.error:
            body["error"] = self.error[:500]
        if self.give_up:
            body["give_up"] = True
        return body


def state_word(status: Status) -> str:
    """One word for the heartbeat: up, paper_out, cover_open, offline, error, paused, unknown."""
    if not status.known:
        return "unknown"
    for word, on in (("paper_out", status.paper_out), ("cover_open", status.cover_open),
                     ("error", status.error), ("offline", not status.online),
                     ("paused", status.paused)):
        if on:
            return word
    return "paper_near_end" if status.paper_near_end else "up"


class LabelPrinter:
    """One printer at `config.url`; calls are serialised (a print and a status check
    from another thread never interleave on the wire). `state` is the last known state."""

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        self.state = "unknown"
        self.detail = ""
        self._lock = threading.Lock()

    def check(self) -> str:
        """Ask the printer how it is, without printing; returns the state word."""
        with self._lock:
            try:
                with open_transport(self.config.url, timeout=2.0) as transport:
                    if not (self.config.check_status and transport.can_read):
                        return self._set("up", "connected (no status query)")
                    status = printer_status(transport, self.config.format, timeout=1.0)
            except (TransportError, OSError) as exc:
                return self._set("down", str(exc))
            return self._set(state_word(status), status.describe())

    def print_waybill(self, waybill: dict[str, Any]) -> PrintOutcome:
        """Render, check, send. Never raises for printer or label trouble."""
        cfg = self.config
        try:
            data = render(Waybill.from_dict(waybill), cfg.format, cfg.size, cfg.dpi)
        except WaybillError as exc:
            return PrintOutcome(False, f"bad label: {exc}", give_up=True)
        except Exception as exc:  # a label the renderer chokes on will not improve by retrying
            log.exception("rendering a waybill failed")
            return PrintOutcome(False, f"cannot render the label: {exc}", give_up=True)
        with self._lock:
            try:
                with open_transport(cfg.url, timeout=5.0) as transport:
                    after = "up"
                    if cfg.check_status and transport.can_read:
                        status = printer_status(transport, cfg.format, timeout=1.0)
                        word = state_word(status)
                        if status.known and not status.ready:
                            self._set(word, status.describe())
                            problem = f"printer {word.replace('_', ' ')}: {status.describe()}"
                            return PrintOutcome(False, problem)
                        after = word if status.known else "up"
                    transport.write(data)
            except (TransportError, OSError) as exc:
                self._set("down", str(exc))
                return PrintOutcome(False, f"printer unreachable: {exc}")
        self._set(after, "printed")
        return PrintOutcome(True)

    def _set(self, state: str, detail: str) -> str:
        if state != self.state:
            log.info("printer %s: %s (%s)", self.config.url, state, detail)
        self.state, self.detail = state, detail
        return state
