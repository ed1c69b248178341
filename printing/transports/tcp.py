"""Raw network printers: a TCP socket to port 9100 (JetDirect), bytes straight through.

A port-9100 printer reads a job to the end of the connection and then closes its side.
`finish` waits for that: a printer switched off or unplugged mid-label resets the
connection (or closes it with our bytes unread) instead, and the job is reported cut off
rather than printed, even when every byte had already left in the kernel's buffers.
"""

from __future__ import annotations

import errno
import socket
import struct
import time
from urllib.parse import urlsplit

from printing.transports.base import JobCutOff, Transport, TransportError

try:
    import fcntl
    import termios

    _OUTQ: int | None = termios.TIOCOUTQ  # Linux: bytes the peer has not acknowledged yet
except (ImportError, AttributeError):
    _OUTQ = None

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
        self.written = 0

    def write(self, data: bytes) -> None:
        view, sent = memoryview(data), 0
        try:
            while sent < len(data):
                sent += self.sock.send(view[sent:])
        except OSError as exc:
            if sent or self.written:
                raise JobCutOff(f"{self.url}: the printer went away after {self.written + sent} bytes "
                                f"of the job: {exc}") from None
            raise TransportError(f"{self.url}: send failed: {exc}") from None
        finally:
            self.written += sent

    def finish(self, timeout: float = 5.0) -> None:
        """End our side and wait for the printer to close its own, having read everything."""
        cut_off = f"{self.url}: the printer closed the connection before taking the whole job ({self.written} bytes sent)"
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise JobCutOff(f"{cut_off}: {exc}") from None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                if not self.sock.recv(4096):  # the printer's end of the job
                    break
            except TimeoutError:
                break  # it keeps the connection open: judged below by what it acknowledged
            except OSError as exc:
                raise JobCutOff(f"{cut_off}: {exc}") from None
        while _unacknowledged(self.sock) > 0 and time.monotonic() < deadline + 1.0:
            time.sleep(0.005)  # a reset for bytes it never read may still be on its way
        error = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error or _unacknowledged(self.sock) > 0:
            raise JobCutOff(f"{cut_off}: {errno.errorcode.get(error, 'not acknowledged')}")

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


def _unacknowledged(sock: socket.socket) -> int:
    """Bytes sent on `sock` that the printer's side has not acknowledged (0 where unknown)."""
    if _OUTQ is None:
        return 0
    try:
        return int(struct.unpack("i", fcntl.ioctl(sock.fileno(), _OUTQ, b"\0\0\0\0"))[0])
    except OSError:
        return 0
