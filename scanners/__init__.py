"""Pack-station devices: serial scales (MT-SICS, Toledo continuous, NCI), serial
barcode scanners, and emulators of both (plus an ESC/POS printer) for tests and demos.

    from scanners.scale import Scale            # Scale(url, "mt-sics").read() -> Reading
    from scanners.scanner import ScannerReader  # background reader -> Scan objects
"""

from scanners.errors import (
    DeviceDisconnected,
    DeviceError,
    DeviceTimeout,
    PortOpenError,
    ScaleError,
    ScaleOverload,
    ScaleTimeout,
    ScaleUnderload,
)
from scanners.readings import Reading

__all__ = ["DeviceDisconnected", "DeviceError", "DeviceTimeout", "PortOpenError", "Reading",
           "ScaleError", "ScaleOverload", "ScaleTimeout", "ScaleUnderload"]
