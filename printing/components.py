"""The platforms' print components (菜鸟打印组件, 拼多多打印组件, 抖音电子面单打印组件): their
WebSocket messages, built and read here; sending them is `scanners.agent.components`.

A platform e-waybill's print data comes encrypted (`encryptedData`, `signature`,
`templateURL`); only the platform's component on the packing PC can print it. A job is one
`print` request with one document (the documented advice against reprints), whose contents
are the platform's print data, passed through as it came, and our custom area. The component
acknowledges the request at once (`status` success or failed, with `msg`), then pushes the
task's outcome: `notifyPrintResult` (Cainiao, Douyin; `taskStatus` rendered / printed /
failed with `printStatus` per document), `PrintResultNotify` (Pinduoduo, no requestID), or in
newer Cainiao versions `notifyTaskResult` / `notifyDocResult` (keys `taskId`, `documentId`; a
bad `encryptedData` fails there with `code` 40 and no `printed` follows).
See ../shared/specs/print-components.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

# Where each component listens on the packing PC (plain WebSocket; TLS ports for https pages).
ADDRESSES = {"cainiao": "ws://localhost:13528", "pinduoduo": "ws://127.0.0.1:5000", "douyin": "ws://localhost:13888"}
TLS_ADDRESSES = {"cainiao": "wss://localhost:13529", "pinduoduo": "wss://127.0.0.1:18653",
                 "douyin": "wss://localhost:13999"}


def component_of(print_data: dict[str, Any]) -> str | None:
    """Which component can print this print data: None when it is plain (we render it)."""
    if not isinstance(print_data, dict) or not print_data.get("encryptedData"):
        return None
    if "templateUrl" in print_data or "userid" in print_data:
        return "pinduoduo"
    if str(print_data.get("ver") or "").startswith("waybill_print_secret") or \
            ("templateURL" in print_data and "ver" in print_data):
        return "cainiao"
    return "douyin"  # encryptedData + signature (+ templateURL) from logistics.waybillApply, no ver


def print_request(component: str, document_id: str, print_data: dict[str, Any],
                  custom: dict[str, Any] | None = None, printer: str = "", request_id: str | None = None,
                  task_id: str | None = None) -> dict[str, Any]:
    """One `print` request of one document: the platform's print data as it came, then our
    custom area (order, items, pick info) where the platform's template leaves room."""
    contents: list[dict[str, Any]] = [dict(print_data)]
    if custom:
        contents.append(custom)
    return {"cmd": "print", "requestID": request_id or uuid.uuid4().hex, "version": "1.0",
            "task": {"taskID": task_id or uuid.uuid4().hex, "preview": False, "printer": printer,
                     "previewType": "pdf", "firstDocumentNumber": 1, "totalDocumentCount": 1,
                     "documents": [{"documentID": document_id, "contents": contents}]}}


@dataclass(frozen=True)
class Outcome:
    """What a message from the component says about our task: `done` once it is printed or
    failed; `ok` printed; `error` the component's own words."""

    done: bool
    ok: bool = False
    error: str | None = None


PENDING = Outcome(False)


def read_ack(request: dict[str, Any], message: dict[str, Any]) -> Outcome | None:
    """The component's answer to our `print` request; None if the message is something else."""
    if message.get("cmd") != "print" or message.get("requestID") != request.get("requestID"):
        return None
    if message.get("status") == "success":
        return PENDING
    words = message.get("msg") or "refused"
    code = message.get("errorCode")
    return Outcome(True, False, f"the print component refused the label: {words}"
                                + (f" (errorCode {code})" if code not in (None, 0, "0") else ""))


def read_push(request: dict[str, Any], message: dict[str, Any]) -> Outcome | None:
    """A pushed result for our task: printed, failed, or still on its way (rendered); None if
    the message is about another task or is not a result."""
    task_id = request["task"]["taskID"]
    cmd = message.get("cmd")
    if cmd in ("notifyPrintResult", "PrintResultNotify") and message.get("taskID") == task_id:
        docs = message.get("printStatus") or []
        failed = [d for d in docs if d.get("status") == "failed"]
        status = message.get("taskStatus")
        if status == "failed" or failed:
            words = "; ".join(str(d.get("msg") or d.get("detail") or "failed") for d in failed) or "failed"
            return Outcome(True, False, f"the print component could not print the label: {words}")
        return Outcome(True, True) if status == "printed" else PENDING
    if cmd == "notifyDocResult" and message.get("taskId") == task_id:
        code = message.get("code")
        if message.get("status") == "failed" or code not in (None, 0, "0"):
            return Outcome(True, False, f"the print component could not print the label: "
                                        f"{message.get('msg') or 'failed'} (code {code})")
        return PENDING
    if cmd == "notifyTaskResult" and message.get("taskId") == task_id:
        status = message.get("taskStatus")
        if status == "printed":
            return Outcome(True, True)
        if status == "failed":
            return Outcome(True, False, f"the print component could not print the label: "
                                        f"{message.get('msg') or 'failed'}")
        return PENDING
    return None
