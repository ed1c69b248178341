"""`memory://name`: a printer that keeps what it was sent, for tests and demos.

Transports opened with the same name share one buffer, so a demo can print through
`open_transport("memory://desk1")` and later look at `sent("desk1")`. Replies for
`read` (status queries) can be queued with `MemoryTransport.replies`.
"""

from __future__ import annotations

from printing.transports.base import Transport

_BUFFERS: dict[str, bytearray] = {}


def sent(name: str) -> bytes:
    """Everything written to memory://name so far."""
    return bytes(_BUFFERS.get(name, b""))


def clear(name: str) -> None:
    _BUFFERS.pop(name, None)


class MemoryTransport(Transport):
    can_read = True

    def __init__(self, url: str = "memory://", replies: bytes = b"") -> None:
        self.url = url
        self.name = url.split("://", 1)[-1]
        self.buffer = _BUFFERS.setdefault(self.name, bytearray())
        self.replies = bytearray(replies)

    def write(self, data: bytes) -> None:
        self.buffer.extend(data)

    def read(self, n: int, timeout: float = 1.0) -> bytes:
        out = bytes(self.replies[:n])
        del self.replies[:n]
        return out

    @property
    def data(self) -> bytes:
        return bytes(self.buffer)
