"""`file:///path`: write the stream to a file (for later `lp -o raw`) or a device node."""

from __future__ import annotations

import os
import select
import stat
from urllib.parse import unquote, urlsplit

from printing.transports.base import Transport, TransportError


class FileTransport(Transport):
    fd = -1

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)
        path = unquote(parts.path)
        if parts.netloc and parts.netloc != "localhost":
            raise TransportError(f"{url}: use file:///absolute/path (three slashes)")
        if not path:
            raise TransportError(f"{url}: no file path")
        self.path = path
        try:
            is_device = stat.S_ISCHR(os.stat(path).st_mode)
        except FileNotFoundError:
            is_device = False
        try:
            if is_device:  # e.g. /dev/usb/lp0: some answer status queries, so try read+write
                try:
                    self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
                    self.can_read = True
                except OSError:
                    self.fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
            else:
                self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        except OSError as exc:
            raise TransportError(f"cannot open {path}: {exc.strerror}") from None

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self.fd, view):]
        except OSError as exc:
            raise TransportError(f"{self.path}: write failed: {exc.strerror}") from None

    def read(self, n: int, timeout: float = 1.0) -> bytes:
        if not self.can_read:
            return super().read(n, timeout)
        ready, _, _ = select.select([self.fd], [], [], timeout)
        return os.read(self.fd, n) if ready else b""

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
