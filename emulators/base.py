"""The HTTP server every emulator runs on, with failures that can be queued up front."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BEIJING = timezone(timedelta(hours=8))

# What can be asked to go wrong with the next call(s).
FAILURES = ("rate_limit", "timeout", "half_page", "server_error", "drop_after_apply", "remote_error")


def beijing_now() -> datetime:
    return datetime.now(BEIJING).replace(microsecond=0)


def beijing_text(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class Answer(Exception):
    """Raised by a handler to send a ready answer (used for the emulated failures)."""

    def __init__(self, body: Any, status: int = 200) -> None:
        self.body, self.status = body, status


class EmulatorServer:
    """Serves `handle(path, params) -> (status, body)` on a free port; `fail_next` queues trouble."""

    timeout_sleep = 3.0

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._failures: deque[tuple[str, str | None]] = deque()
        self.lock = threading.RLock()
        self.calls: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once, no 40 ms delayed-ACK stall

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._serve(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                if "json" in (self.headers.get("content-type") or ""):
                    try:
                        params.update({"__json__": raw})
                    except ValueError:
                        pass
                else:
                    params.update(dict(parse_qsl(raw, keep_blank_values=True)))
                self._serve(params)

            def _serve(self, params: dict[str, str]) -> None:
                path = urlsplit(self.path).path
                failure = outer._take_failure(params)
                status, body = 200, None
                try:
                    if failure == "timeout":
                        time.sleep(outer.timeout_sleep)
                        return self._send(504, {"error": "too slow"})
                    if failure == "server_error":
                        return self._send(502, "<html>502 Bad Gateway</html>")
                    if failure:
                        body = outer.failure_answer(failure, path, params)
                    if body is None:
                        with outer.lock:
                            outer.calls.append((path, params))
                            status, body = outer.handle(path, params)
                    if failure == "drop_after_apply":  # did the work, the answer never arrives
                        self.close_connection = True
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        return None
                    if failure == "half_page":
                        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json;charset=UTF-8")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data[: len(data) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return None
                except Answer as answer:
                    status, body = answer.status, answer.body
                except (BrokenPipeError, ConnectionResetError, OSError):
                    return None
                self._send(status, body)

            def _send(self, status: int, body: Any) -> None:
                data = (body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]  # a client that hung up
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def fail_next(self, kind: str, times: int = 1, method: str | None = None) -> None:
        """The next `times` calls (of `method`, when given) go wrong as `kind` (see FAILURES)."""
        if kind not in FAILURES:
            raise ValueError(f"unknown failure {kind!r}; one of {', '.join(FAILURES)}")
        with self.lock:
            self._failures.extend([(kind, method)] * times)

    def _take_failure(self, params: dict[str, str]) -> str | None:
        with self.lock:
            for i, (kind, method) in enumerate(self._failures):
                if method is None or method == self.method_of(params):
                    del self._failures[i]
                    return kind
        return None

    # -- what each emulator fills in
    def method_of(self, params: dict[str, str]) -> str | None:
        return params.get("method")

    def failure_answer(self, failure: str, path: str, params: dict[str, str]) -> Any:
        """The platform's own answer for `rate_limit` / `remote_error`; None: handle normally."""
        return None

    def handle(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        raise NotImplementedError


def serve_forever(server: EmulatorServer, banner: Callable[[], str]) -> None:
    server.start()
    print(banner(), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
