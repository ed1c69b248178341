"""Fixtures for the label tests: the spec's waybill, a fake network printer (a real TCP
listener on 127.0.0.1) and a fake serial printer (a pseudo-terminal)."""

from __future__ import annotations

import copy
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from printing.waybill import SAMPLE_WAYBILL, Waybill
from scanners.emulators.network_printer import NetworkPrinter

# The stream decoders live next to the tests; load them under a name no other test
# folder can shadow (test folders have no __init__.py, so a plain `import decoders`
# would pick whichever folder came first on sys.path).
_spec = importlib.util.spec_from_file_location("label_decoders",
                                               Path(__file__).with_name("decoders.py"))
assert _spec and _spec.loader
label_decoders = importlib.util.module_from_spec(_spec)
sys.modules["label_decoders"] = label_decoders
_spec.loader.exec_module(label_decoders)

PRINTED_AT = datetime(2026, 11, 22, 14, 3)


@pytest.fixture
def waybill_dict() -> dict:
    return copy.deepcopy(SAMPLE_WAYBILL)


@pytest.fixture
def waybill(waybill_dict: dict) -> Waybill:
    return Waybill.from_dict(waybill_dict)


@pytest.fixture
def tcp_printer() -> Iterator[NetworkPrinter]:
    printer = NetworkPrinter()
    yield printer
    printer.close()


class PtyPrinter:
    """A serial printer on a pseudo-terminal: the test opens the slave side as a serial
    port (path or serial:// URL), a thread reads the master side like the printer would."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self.received = bytearray()
        self._stop = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        import select

        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.received.extend(os.read(self.master, 65536))
                except OSError:
                    return

    def wait_for(self, n: int, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return bytes(self.received)

    def close(self) -> None:
        self._stop = True
        self._thread.join(1)
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    printer = PtyPrinter()
    yield printer
    printer.close()
