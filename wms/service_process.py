"""`wms serve` as a child process on a free local port: start it, wait until it answers,
stop it or kill it hard (`kill -9`) and start it again on the same database.

For whatever drives the real service from outside, as stations and printers do: the
system tests (tests/system) and the benches (bench/packing.py, bench/platforms.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServiceProcess:
    """One `wms serve` on 127.0.0.1. `env` adds WMS_* settings for this process only.

    Output goes to `log` (a file path), so a service that fails to start can say why.
    """

    def __init__(self, database_url: str, *, workers: int = 1, print_worker: bool = False,
                 env: dict[str, str] | None = None, log: Path | None = None) -> None:
        self.database_url, self.workers, self.print_worker = database_url, workers, print_worker
        self.env = dict(env or {})
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ServiceProcess:
        self.port = free_port()
        cmd = [sys.executable, "-c", "from wms.cli import main; main()", "serve", "--database", self.database_url,
               "--port", str(self.port), "--workers", str(self.workers),
               "--print-worker" if self.print_worker else "--no-print-worker"]
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
        env = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        if self.log:
            out.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(self.url + "/openapi.json", timeout=1)
                return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                said = self.log.read_text("utf-8", "replace")[-2000:] if self.log else ""
                raise RuntimeError(f"wms serve did not start on port {self.port}\n{said}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no clean-up runs. With
        `--workers N`, the worker processes go too (they would otherwise keep serving)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        children = _children(self.proc.pid)
        self.proc.send_signal(signal.SIGKILL)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, waiting for a clean shutdown; SIGKILL if it does not come."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self) -> ServiceProcess:
        self.stop()
        return self.start()

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc), [] where that cannot be read."""
    found = []
    try:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry.name))
                except (OSError, ValueError, IndexError):
                    continue
    except OSError:
        return []
    return found
