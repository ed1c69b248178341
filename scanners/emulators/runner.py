"""Run one emulator in the foreground for demos: print its path, then take simple
commands on stdin until EOF or Ctrl-C.

Scales: a number sets the load in grams; `motion`, `stable`, `over`, `under`, `ok`,
`unplug`, `replug`. Scanner: each line is sent as a scan (`]C1...` lines carry their
AIM identifier). Printer: `paper-out`, `paper-ok`, `cover-open`, `cover-closed`,
`offline`, `online`; on exit it reports how many bytes it received.
"""

from __future__ import annotations

import sys
import threading
from typing import IO, Any

from scanners.emulators import KINDS, Emulator, EscPosPrinter, SerialScanner
from scanners.emulators.scale_state import ScaleState


def build(kind: str, *, link: str | None = None, tcp_port: int | None = None,
          grams: int = 0, unit: str | None = None, rate: float | None = None,
          terminator: str = "cr", prefix: str = "", suffix: str = "") -> Emulator:
    """An emulator of `kind` (see KINDS) with the demo options applied."""
    if kind not in KINDS:
        raise ValueError(f"unknown device kind {kind!r} (choose {', '.join(KINDS)})")
    transport: dict[str, Any] = (
        {"transport": "tcp", "port": tcp_port} if tcp_port is not None else {"link": link}
    )
    if kind == "scanner":
        ends = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "tab": b"\t"}
        if terminator not in ends:
            raise ValueError(f"unknown terminator {terminator!r} (cr, lf, crlf, tab)")
        return SerialScanner(terminator=ends[terminator], prefix=prefix, suffix=suffix, **transport)
    if kind == "escpos":
        return EscPosPrinter(**transport)
    options: dict[str, Any] = {}
    if unit is not None:
        options["unit"] = unit
        options["decimals"] = {"g": 1, "kg": 3, "lb": 2, "oz": 1}.get(unit, 2)
    if rate is not None and kind == "toledo":
        options["rate"] = rate
    return KINDS[kind](grams, **options, **transport)  # type: ignore[call-arg]


def _command(emulator: Emulator, line: str, out: IO[str]) -> None:
    word = line.strip()
    if not word:
        return
    if word == "unplug":
        emulator.unplug()
    elif word == "replug":
        emulator.replug()
        print(emulator.path, file=out, flush=True)
    elif isinstance(emulator, SerialScanner):
        aim = word[:3] if word.startswith("]") and len(word) > 3 else None
        emulator.emit(word[3:] if aim else word, aim=aim)
    elif isinstance(emulator, ScaleState):
        actions = {"motion": lambda: emulator.set_stable(False), "stable": emulator.set_stable,
                   "over": emulator.set_overload, "under": emulator.set_underload,
                   "ok": emulator.clear_error}
        if word in actions:
            actions[word]()
        else:
            try:
                emulator.set_weight(word)
            except ArithmeticError:
                print(f"not a weight or command: {word!r}", file=sys.stderr, flush=True)
    elif isinstance(emulator, EscPosPrinter):
        flags = {"paper-out": ("paper_out", True), "paper-ok": ("paper_out", False),
                 "cover-open": ("cover_open", True), "cover-closed": ("cover_open", False),
                 "offline": ("offline", True), "online": ("offline", False)}
        if word in flags:
            setattr(emulator, *flags[word])


def run(emulator: Emulator, stdin: IO[str] | None = None, out: IO[str] | None = None) -> None:
    """Start `emulator`, print its path, obey stdin lines; on stdin EOF keep running
    until interrupted (so `... &` with no terminal still works)."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    with emulator:
        print(emulator.path, file=out, flush=True)
        try:
            for line in stdin:
                _command(emulator, line, out)
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            if isinstance(emulator, EscPosPrinter):
                print(f"received {len(emulator.received)} bytes", file=out, flush=True)
