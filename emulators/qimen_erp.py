"""A seller's ERP on the receiving end of 奇门 callbacks (`deliveryorder.confirm` and the rest),
as TOP's Qimen documents them: the query carries method, app_key, customerId, timestamp, v,
sign_method, sign and format; the body is the XML `<request>`; the answer is a `<response>` with
`flag` success or failure. The signature is checked here with the rule written out again, not
with the service's code, so the two are held against each other.

What can be made to go wrong: `fail_next(n)` answers the next n calls with a failure flag (an
ERP that cannot take the confirmation yet), `drop_next(n)` closes the connection without an
answer. Run alone: `python -m emulators.qimen_erp --port 8704 --app-key erp-key --secret erp-secret`.
"""

from __future__ import annotations

import argparse
import hashlib
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def reference_sign(secret: str, query: dict[str, str], body: bytes) -> str:
    """TOP's Qimen rule, independently: MD5(secret + k1v1k2v2... (sorted, no sign) + body + secret)."""
    pairs = sorted((k, v) for k, v in query.items() if k != "sign")
    joined = secret + "".join(k + v for k, v in pairs)
    return hashlib.md5(joined.encode("utf-8") + body + secret.encode("utf-8")).hexdigest().upper()


class QimenErpEmulator:
    def __init__(self, app_key: str = "erp-key", secret: str = "erp-secret", host: str = "127.0.0.1",
                 port: int = 0) -> None:
        self.app_key, self.secret = app_key, secret
        self.calls: list[dict[str, Any]] = []  # every call that reached the ERP, signed or not
        self.accepted: list[dict[str, Any]] = []  # calls answered success
        self._fail, self._drop = 0, 0
        self.during_call: Any = None  # a test's callable, run while a call waits for its answer
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                query = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                if outer.during_call is not None:
                    outer.during_call()
                with outer.lock:
                    if outer._drop:
                        outer._drop -= 1
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    flag, code, message = outer._judge(query, body)
                answer = (f'<?xml version="1.0" encoding="utf-8"?><response><flag>{flag}</flag><code>{code}</code>'
                          f"<message>{message}</message></response>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/qimen/callback"

    def fail_next(self, n: int = 1) -> None:
        with self.lock:
            self._fail += n

    def drop_next(self, n: int = 1) -> None:
        with self.lock:
            self._drop += n

    def _judge(self, query: dict[str, str], body: bytes) -> tuple[str, str, str]:
        call = {"query": query, "body": body, "xml": None}
        self.calls.append(call)
        if query.get("app_key") != self.app_key:
            return "failure", "invalid-app-key", "unknown app_key"
        if reference_sign(self.secret, query, body) != query.get("sign"):
            return "failure", "sign-check-failure", "Illegal request: invalid signature"
        try:
            call["xml"] = ET.fromstring(body)
        except ET.ParseError:
            return "failure", "invalid-xml", "the body is not XML"
        if self._fail:
            self._fail -= 1
            return "failure", "SYSTEM_BUSY", "系统繁忙, 请稍后重试"
        self.accepted.append(call)
        return "success", "0", "ok"

    def confirmations(self) -> list[ET.Element]:
        """The deliveryorder.confirm calls answered success, as XML."""
        return [c["xml"] for c in self.accepted if "deliveryorder.confirm" in c["query"].get("method", "")]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> QimenErpEmulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8704)
    parser.add_argument("--app-key", default="erp-key")
    parser.add_argument("--secret", default="erp-secret")
    args = parser.parse_args()
    emulator = QimenErpEmulator(args.app_key, args.secret, port=args.port)
    print(f"ERP callback endpoint on {emulator.url}")
    threading.Event().wait()


if __name__ == "__main__":
    main()
