"""Raw network printers: a TCP socket to port 9100 (JetDirect), bytes straight through."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from printing.transports import Transport, TransportError

DEFAULT_PORT = 9100


class TcpTransport(Transport):
    can_read = True

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        parts = urlsplit(url)
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise TransportError(f"{url}: port is not a number") from None
        if not parts.hostname:
            raise TransportError(f"{url}: no host (use tcp://host:9100)")
        try:
            self.sock = socket.create_connection((parts.hostname, port), timeout=timeout)
        except OSError as exc:
            raise TransportError(f"cannot connect to printer {url}: {exc}") from None
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes) -> None:
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise TransportError(f"{self.url}: send failed: {exc}") from None

    def read(self, n: int, timeout: float = 1.0) -> bytes:
        """Up to n bytes, waiting at most `timeout` seconds in total."""
        deadline = time.monotonic() + timeout
        out = b""
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(n - len(out))
            except TimeoutError:
                break
            except OSError as exc:
                raise TransportError(f"{self.url}: receive failed: {exc}") from None
            if not chunk:
                break
            out += chunk
        return out

    def close(self) -> None:
        """Half-close first so the printer sees the end of the job after the last byte."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.sock.close()
