"""What every transport is: bytes to and from one printer, and the errors it raises. The
concrete transports (tcp, file, memory, serial) stand on this; `printing.transports` opens
one by URL."""

from __future__ import annotations

from types import TracebackType


class TransportError(OSError):
    """The printer could not be opened, written to or read from; the message says which."""


class JobCutOff(TransportError):
    """The link broke after part of a job went out: the printer did not take all of it."""


class Transport:
    """Bytes to and from one printer. `read` returns what arrived within `timeout`
    (possibly fewer than `n` bytes, b"" if nothing), on media that can answer."""

    url: str = ""
    can_read: bool = False

    def write(self, data: bytes) -> None:
        raise NotImplementedError

    def read(self, n: int, timeout: float = 1.0) -> bytes:
        raise TransportError(f"{self.url}: this transport cannot read replies")

    def finish(self, timeout: float = 5.0) -> None:
        """Return once the printer has taken the whole job written so far; JobCutOff if it
        went away before. Media that cannot tell return at once."""

    def close(self) -> None:
        pass

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
