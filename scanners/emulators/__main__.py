"""`python -m scanners.emulators mt-sics|nci|toledo|scanner|escpos`: run one emulated
device and print the path to open it with (see scanners.emulators.runner)."""

from __future__ import annotations

import argparse
import sys

from scanners.emulators import KINDS
from scanners.emulators.runner import build, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scanners.emulators", description=__doc__)
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("--link", help="also expose the pty as this symlink (stable across replug)")
    parser.add_argument("--tcp", type=int, metavar="PORT",
                        help="listen on TCP instead of a pty (0: any port)")
    parser.add_argument("--grams", type=int, default=0, help="initial load on a scale")
    parser.add_argument("--unit", help="scale display unit (g, kg, lb, oz)")
    parser.add_argument("--rate", type=float, help="Toledo frames per second")
    parser.add_argument("--terminator", default="cr", help="scanner terminator: cr, lf, crlf, tab")
    parser.add_argument("--prefix", default="", help="scanner prefix")
    parser.add_argument("--suffix", default="", help="scanner suffix")
    args = parser.parse_args(argv)
    try:
        emulator = build(args.kind, link=args.link, tcp_port=args.tcp, grams=args.grams,
                         unit=args.unit, rate=args.rate, terminator=args.terminator,
                         prefix=args.prefix, suffix=args.suffix)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run(emulator)
    return 0


if __name__ == "__main__":
    sys.exit(main())
