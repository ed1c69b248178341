"""A seller's ERP on the receiving end of 奇门 callbacks (`deliveryorder.confirm` and the rest),
as TOP's Qimen documents them: the query carries method, app_key, customerId, timestamp, v,
sign_method, sign and format; the body is the XML `<request>`; the answer is a `<response>` with
`flag` success or failure. The signature is checked here with the rule written out again, not
with the service's code, so the two are held against each other.

What can be made to go wrong: `fail_next(n)` answers the next n calls with a failure flag (an
ERP that cannot take the confirmation yet), `drop_next(n)` closes the connection without an
answer. Run alone: `python -m emulators.qimen_erp --port 8704 --app-key erp-key --secret erp-secret`.

The ERP's other side, `ErpPush`, calls the warehouse as an ERP does, signed the same way: items,
combos and shipments in bulk (`python -m emulators.qimen_erp push --wms http://127.0.0.1:8000
--items 20 --combos 5 --shipments 1000`).
"""

from __future__ import annotations

import argparse
import hashlib
import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx


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


class ErpPush:
    """The ERP calling the warehouse's `POST /qimen`: signed requests, the `<response>` back."""

    def __init__(self, wms_url: str, app_key: str = "erp-key", secret: str = "erp-secret",
                 customer_id: str = "C100", timeout: float = 60.0) -> None:
        self.wms_url, self.app_key, self.secret, self.customer_id = wms_url.rstrip("/"), app_key, secret, customer_id
        self.http = httpx.Client(timeout=timeout)

    def signed(self, method: str, body: str) -> tuple[str, bytes]:
        """The URL (query signed) and the body of one call."""
        raw = body.encode("utf-8")
        now = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
        params = {"method": method, "app_key": self.app_key, "customerId": self.customer_id, "timestamp": now,
                  "format": "xml", "v": "2.0", "sign_method": "md5"}
        params["sign"] = reference_sign(self.secret, params, raw)
        return f"{self.wms_url}/qimen?{urlencode(params)}", raw

    def call(self, method: str, body: str) -> ET.Element:
        target, raw = self.signed(method, body)
        answer = self.http.post(target, content=raw, headers={"Content-Type": "text/xml; charset=utf-8"})
        return ET.fromstring(answer.content)

    def items(self, n: int, prefix: str = "B") -> list[str]:
        """`n` items (singleitem.synchronize): codes B00.., 0.1 kg and up, a barcode each."""
        codes = [f"{prefix}{i:02d}" for i in range(n)]
        for i, code in enumerate(codes):
            body = (f"<request><actionType>add</actionType><item><itemCode>{code}</itemCode><itemName>商品{i}</itemName>"
                    f"<grossWeight>{0.1 + i / 100:.3f}</grossWeight><length>20</length><width>10</width>"
                    f"<height>5</height><itemType>ZC</itemType></item></request>")
            self._ok(self.call("taobao.qimen.singleitem.synchronize", body), code)
        return codes

    def combos(self, n: int, parts: list[str]) -> list[str]:
        """`n` combos (combineitem.synchronize) of two parts each, taken in turn from `parts`."""
        codes = [f"SET{i:02d}" for i in range(n)]
        for i, code in enumerate(codes):
            a, b = parts[i % len(parts)], parts[(i + 1) % len(parts)]
            body = (f"<request><itemCode>{code}</itemCode><itemName>组合{i}</itemName><items>"
                    f"<item><itemCode>{a}</itemCode><quantity>1</quantity></item>"
                    f"<item><itemCode>{b}</itemCode><quantity>2</quantity></item></items></request>")
            self._ok(self.call("taobao.qimen.combineitem.synchronize", body), code)
        return codes

    @staticmethod
    def shipment(i: int, skus: list[str]) -> str:
        """Shipment `ERP{i}` as a platform hands it over: masked receiver with an OAID, 1-2 lines."""
        lines = "".join(f"<orderLine><itemCode>{skus[(i + k) % len(skus)]}</itemCode><planQty>{1 + k}</planQty>"
                        "</orderLine>" for k in range(1 + i % 2))
        return (f"<request><deliveryOrder><deliveryOrderCode>ERP{i:07d}</deliveryOrderCode><orderType>JYCK</orderType>"
                "<sourcePlatformCode>TB</sourcePlatformCode><shopNick>压测店</shopNick>"
                f"<receiverInfo><name>李**</name><mobile>138****{i % 10000:04d}</mobile><province>浙江省</province>"
                f"<city>杭州市</city><area>余杭区</area><detailAddress>良睦路****号 {i}</detailAddress>"
                f"<oaid>OAID{i:012d}</oaid></receiverInfo></deliveryOrder><orderLines>{lines}</orderLines></request>")

    def shipments(self, n: int, skus: list[str]) -> int:
        """`n` shipments (deliveryorder.create); how many the warehouse answered success."""
        return sum(self.call("taobao.qimen.deliveryorder.create", self.shipment(i, skus)).findtext("flag") == "success"
                   for i in range(n))

    @staticmethod
    def _ok(answer: ET.Element, code: str) -> None:
        if answer.findtext("flag") != "success":
            raise RuntimeError(f"{code}: {answer.findtext('code')} {answer.findtext('message')}")

    def close(self) -> None:
        self.http.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", choices=("serve", "push"), default="serve",
                        help="serve: the ERP's callback endpoint; push: call a warehouse as the ERP")
    parser.add_argument("--port", type=int, default=8704)
    parser.add_argument("--app-key", default="erp-key")
    parser.add_argument("--secret", default="erp-secret")
    parser.add_argument("--customer-id", default="C100")
    parser.add_argument("--wms", default="http://127.0.0.1:8000", help="push: the warehouse's base URL")
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--combos", type=int, default=5)
    parser.add_argument("--shipments", type=int, default=100)
    args = parser.parse_args()
    if args.mode == "push":
        push = ErpPush(args.wms, args.app_key, args.secret, args.customer_id)
        items = push.items(args.items)
        combos = push.combos(args.combos, items)
        taken = push.shipments(args.shipments, items + combos)
        push.close()
        print(f"pushed {len(items)} items, {len(combos)} combos, {args.shipments} shipments ({taken} taken)")
        return
    emulator = QimenErpEmulator(args.app_key, args.secret, port=args.port)
    print(f"ERP callback endpoint on {emulator.url}")
    threading.Event().wait()


if __name__ == "__main__":
    main()
