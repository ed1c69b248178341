"""Relaying a platform e-waybill to the platform's print component on this PC (local WebSocket).

The service cannot print encrypted print data; the component can. The agent sends one `print`
request (printing.components), waits for the component's acknowledgement and then for its
pushed result, and reports printed or failed to the print queue in the component's words. A
component that is not running is "component not reachable" and the job is tried again later;
one that accepted the label but never said whether it printed is failed for a person to look
at (it may be on paper: sending it again could print it twice).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from printing.components import ADDRESSES, Outcome, print_request, read_ack, read_push
from scanners.agent.labels import PrintOutcome

log = logging.getLogger("wms.station.component")


class ComponentRelay:
    """Prints component jobs (`waybill["component"]` names the component) through its WebSocket."""

    def __init__(self, addresses: dict[str, str] | None = None, printer: str = "", timeout_s: float = 30.0,
                 connect_timeout_s: float = 3.0) -> None:
        self.addresses = {**ADDRESSES, **(addresses or {})}
        self.printer, self.timeout_s, self.connect_timeout_s = printer, timeout_s, connect_timeout_s

    def print_document(self, document: dict[str, Any]) -> PrintOutcome:
        component = str(document.get("component") or "")
        url = self.addresses.get(component)
        if not url:
            return PrintOutcome(False, f"no print component is known for {component!r}", give_up=True)
        request = print_request(component, str(document.get("tracking_no") or ""), document.get("print_data") or {},
                                document.get("custom"), self.printer)
        sent = False
        try:
            with connect(url, open_timeout=self.connect_timeout_s, close_timeout=1) as ws:
                ws.send(json.dumps(request, ensure_ascii=False))
                sent = True
                return self._await(ws, request)
        except (OSError, WebSocketException, TimeoutError) as exc:
            if sent:  # it had the label: it may be on paper
                return PrintOutcome(False, f"the print component broke off ({exc}): check the printer "
                                           "before reprinting", give_up=True)
            return PrintOutcome(False, f"component not reachable ({component} at {url}): {exc}")

    def _await(self, ws: Any, request: dict[str, Any]) -> PrintOutcome:
        deadline = time.monotonic() + self.timeout_s
        acknowledged = False
        while (left := deadline - time.monotonic()) > 0:
            try:
                raw = ws.recv(timeout=left)
            except TimeoutError:
                break
            try:
                message = json.loads(raw)
            except (TypeError, ValueError):
                continue
            if not isinstance(message, dict):
                continue
            outcome: Outcome | None = read_ack(request, message) if not acknowledged else None
            if outcome is not None:
                acknowledged = True
            else:
                outcome = read_push(request, message)
            if outcome is not None and outcome.done:
                return PrintOutcome(outcome.ok, outcome.error)
        said = "did not answer" if not acknowledged else "took the label but did not say whether it printed"
        return PrintOutcome(False, f"the print component {said} within {self.timeout_s:g} s: check the printer "
                                   "before reprinting", give_up=True)
