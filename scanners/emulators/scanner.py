"""A serial barcode scanner: `emit()` sends one scan as the configured scanner would."""

from __future__ import annotations

from scanners.emulators.base import Emulator


class SerialScanner(Emulator):
    """Sends `prefix + [AIM id] + code + suffix + terminator` per scan (terminator CR
    by default, as most scanners ship; b"\\r\\n" or b"\\n" to match other setups)."""

    def __init__(self, *, terminator: bytes = b"\r", prefix: str = "", suffix: str = "",
                 encoding: str = "utf-8", **transport: object) -> None:
        super().__init__(**transport)  # type: ignore[arg-type]
        self.terminator = terminator
        self.prefix = prefix
        self.suffix = suffix
        self.encoding = encoding

    def scan_bytes(self, code: str, aim: str | None = None) -> bytes:
        text = self.prefix + (aim or "") + code + self.suffix
        return text.encode(self.encoding) + self.terminator

    def emit(self, code: str, aim: str | None = None) -> None:
        """One scan of `code`, with its AIM identifier (e.g. "]C1") if given."""
        self.respond(self.scan_bytes(code, aim))
