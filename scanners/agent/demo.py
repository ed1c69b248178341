"""A whole packing station on one machine: emulated scanner, scale and printer plus the agent.

`wms demo` starts one so a person can try the station without hardware: each line typed
on the terminal is a scan; `w 512` puts a 512 g parcel on the scale, `w 0` takes it off.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from scanners.agent.agent import StationAgent
from scanners.agent.config import parse_config
from scanners.emulators.escpos_printer import EscPosPrinter
from scanners.emulators.mt_sics import MtSicsScale
from scanners.emulators.scanner import SerialScanner


class DemoStation:
    def __init__(self, station: str, service_url: str, token: str, outbox: Path) -> None:
        self.scanner = SerialScanner().start()
        self.scale = MtSicsScale(0).start()
        self.printer = EscPosPrinter(transport="tcp").start()
        config = parse_config({
            "station": station, "outbox": str(outbox),
            "service": {"url": service_url, "token": token},
            "scanner": {"port": self.scanner.path},
            "scale": {"port": self.scale.path, "protocol": "mt-sics", "scale_id": f"SCALE-{station}"},
            "printer": {"url": self.printer.path.replace("socket://", "tcp://"), "format": "escpos"},
        })
        self.agent = StationAgent(config, on_answer=self._show).start()

    @staticmethod
    def _show(event: dict, answer: object) -> None:
        result = answer.get("result", answer) if isinstance(answer, dict) else answer
        if isinstance(result, dict) and "verdict" in result:
            text = f"{result['verdict']} {result.get('grams')} g (expected {result.get('expected_g')} ± {result.get('tolerance_g')})"
            text += f" tracking {result['tracking_no']}" if result.get("tracking_no") else f" {result.get('explanation', '')}"
        elif isinstance(result, dict) and "message" in result:
            text = f"{result.get('error')}: {result['message']}"
        else:
            text = f"{answer.get('action') if isinstance(answer, dict) else ''} {event.get('code', '')}"
        print(f"  [station] {text}", flush=True)

    def feed_from_stdin(self) -> None:
        """Typed lines become scans; `w GRAMS` sets the scale."""
        def loop() -> None:
            for line in sys.stdin:
                line = line.strip()
                if line.lower().startswith("w ") and line[2:].strip().isdigit():
                    self.scale.set_weight(int(line[2:].strip()), stable=True)
                elif line:
                    self.scanner.emit(line)
        threading.Thread(target=loop, name="demo-keyboard", daemon=True).start()

    def stop(self) -> None:
        self.agent.stop()
        for device in (self.scanner, self.scale, self.printer):
            device.stop()
