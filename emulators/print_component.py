"""A platform print component (菜鸟打印组件, or Pinduoduo's / Douyin's) on the packing PC: a local
WebSocket service answering as ../shared/specs/print-components.md says.

`getPrinters` lists its printers. `print` checks the task: no documents is refused at once
(errorCode 11, "document not found"), a printer it does not have likewise ("printer not
found"); else it is acknowledged (status success, "no error") and the result is pushed:
`notifyPrintResult` rendered, then printed (Pinduoduo: `PrintResultNotify`, no requestID,
with firstFailedDocSN). Print data it cannot decrypt (`knows(encryptedData)` is false) is
accepted by `print` and fails afterwards: `notifyPrintResult` failed, or with `newer=True`
as the newer Cainiao versions do, `notifyDocResult` with code 40 "Unknown encryption type."
and no printed. What it printed is in `printed` (document ids, in order).

Run alone: `python -m emulators.print_component --kind cainiao` (port 13528).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

PORTS = {"cainiao": 13528, "pinduoduo": 5000, "douyin": 13888}


class PrintComponentEmulator:
    def __init__(self, kind: str = "cainiao", printers: tuple[str, ...] = ("ZT410", "GK888t"),
                 knows: Callable[[str], bool] | None = None, newer: bool = False,
                 host: str = "127.0.0.1", port: int = 0,
                 unlock: Callable[[dict[str, Any]], str | None] | None = None) -> None:
        self.kind, self.printers, self.newer = kind, list(printers), newer
        self.knows = knows or (lambda data: data.startswith("AES:"))
        # Douyin's component fetches the shop's key itself (the content's signed `params`) and
        # checks the signature: `unlock(content)` says why it cannot print, or None.
        self.unlock = unlock
        self.printed: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.server = serve(self._session, host, port)
        self.host, self.port = self.server.socket.getsockname()[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def start(self) -> PrintComponentEmulator:
        self._thread = threading.Thread(target=self.server.serve_forever, name="print-component", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    def __enter__(self) -> PrintComponentEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ the protocol
    def _session(self, ws: ServerConnection) -> None:
        try:
            for raw in ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(message, dict):
                    self._answer(ws, message)
        except ConnectionClosed:
            return

    def _reply(self, ws: ServerConnection, request: dict[str, Any], **fields: Any) -> None:
        ws.send(json.dumps({"cmd": request.get("cmd"), "requestID": request.get("requestID"), **fields},
                           ensure_ascii=False))

    def _answer(self, ws: ServerConnection, request: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(request)
        cmd = request.get("cmd")
        if cmd == "getPrinters":
            self._reply(ws, request, status="success", msg="no error",
                        printers=[{"name": p} for p in self.printers], defaultPrinter=self.printers[0])
        elif cmd == "getAgentInfo":
            self._reply(ws, request, status="success", msg="no error", version="0.5.1", kind=self.kind)
        elif cmd == "print":
            self._print(ws, request)
        else:
            self._reply(ws, request, status="failed", msg=f"unknown cmd {cmd}", errorCode=1)

    def _print(self, ws: ServerConnection, request: dict[str, Any]) -> None:
        task = request.get("task") or {}
        task_id, documents = task.get("taskID"), task.get("documents") or []
        if not documents:
            return self._reply(ws, request, taskID=task_id, status="failed", msg="document not found", errorCode=11)
        if task.get("printer") and task["printer"] not in self.printers:
            return self._reply(ws, request, taskID=task_id, status="failed",
                               msg=f"printer not found: {task['printer']}", errorCode=13)
        self._reply(ws, request, taskID=task_id, status="success", msg="no error", errorCode=0)
        results, words = [], {}
        for doc in documents:
            contents = doc.get("contents") or [{}]
            sealed = str((contents[0] or {}).get("encryptedData") or "")
            refused = self.unlock(contents[0] or {}) if self.unlock else None
            if refused:
                words[str(doc.get("documentID"))] = refused
            results.append((str(doc.get("documentID")), bool(sealed) and not refused and
                            (self.unlock is not None or self.knows(sealed))))
        time.sleep(0.01)  # the printer renders, then prints
        if self.newer and self.kind == "cainiao":
            for doc_id, ok in results:
                ws.send(json.dumps({"cmd": "notifyDocResult", "taskId": task_id, "documentId": doc_id,
                                    "status": "success" if ok else "failed", "code": 0 if ok else 40,
                                    "msg": "" if ok else "Unknown encryption type."}))
            if all(ok for _, ok in results):
                self._printed([d for d, _ in results])
                ws.send(json.dumps({"cmd": "notifyTaskResult", "taskId": task_id, "taskStatus": "printed"}))
            return None
        push = "PrintResultNotify" if self.kind == "pinduoduo" else "notifyPrintResult"
        status = [{"documentID": d, "status": "success" if ok else "failed",
                   "msg": "" if ok else words.get(d, "解密失败：Unknown encryption type."), "detail": ""}
                  for d, ok in results]
        failed_sn = next((i + 1 for i, (_, ok) in enumerate(results) if not ok), 0)
        base: dict[str, Any] = {"cmd": push, "taskID": task_id, "printStatus": status}
        if self.kind == "pinduoduo":
            base["firstFailedDocSN"] = failed_sn
        if failed_sn:
            ws.send(json.dumps({**base, "taskStatus": "failed"}, ensure_ascii=False))
            return None
        ws.send(json.dumps({**base, "taskStatus": "rendered"}, ensure_ascii=False))
        self._printed([d for d, _ in results])
        ws.send(json.dumps({**base, "taskStatus": "printed"}, ensure_ascii=False))
        return None

    def _printed(self, documents: list[str]) -> None:
        with self.lock:
            self.printed.extend(documents)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=sorted(PORTS), default="cainiao")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=None)
    a = ap.parse_args()
    emu = PrintComponentEmulator(a.kind, host=a.host, port=a.port if a.port is not None else PORTS[a.kind])
    print(f"{a.kind} print component emulator at {emu.url}", flush=True)
    try:
        emu.server.serve_forever()
    except KeyboardInterrupt:
        emu.stop()


if __name__ == "__main__":
    main()
