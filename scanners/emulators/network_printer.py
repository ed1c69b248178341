"""A raw network printer on TCP (port 9100, JetDirect), as label printers on the packing
line and print servers are: any number of connections at once, one job per connection
(every byte up to the sender's end of the connection), kept in `jobs` in arrival order.

A connection that sends only the ZPL host-status query `~HS` is answered (ready) and
kept as no job, so the service's "is the printer ready?" check does not count as a label.

Trouble on demand, for the tests that prove nothing is lost or printed twice:
- `pause()` / `resume()`: jobs that arrive while paused are held unread after their first
  bytes (a printer busy or jammed); `held` counts them. Status queries are still answered.
- `vanish_after = N`: the printer goes away after reading N bytes of a job and closes the
  connection with the rest unread (switched off mid-label); what it got is in `partial`.
- `linger_s = S`: a job read whole is confirmed (the connection closed) only S seconds later,
  as a busy printer does: the sender waits on it.
"""

from __future__ import annotations

import socket
import threading

ZPL_READY = (b"\x02030,0,0,1245,000,0,0,0,000,0,0,0\x03\r\n"
             b"\x02000,0,0,0,0,2,4,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n")


class NetworkPrinter:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = socket.create_server((host, port))
        self.host, self.port = host, self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self.partial: list[bytes] = []
        self.connections = 0
        self.held = 0
        self.vanish_after: int | None = None
        self.linger_s = 0.0
        self._changed = threading.Condition()
        self._running = threading.Event()
        self._running.set()
        threading.Thread(target=self._serve, name="network-printer", daemon=True).start()

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    @property
    def bytes_received(self) -> int:
        return sum(len(j) for j in self.jobs)

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def wait_jobs(self, n: int, timeout: float = 10.0) -> list[bytes]:
        """Wait until `n` jobs have come in (or the time is up); the jobs so far."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.jobs) >= n, timeout)
            return list(self.jobs)

    def wait_job(self, timeout: float = 5.0) -> bytes:
        jobs = self.wait_jobs(1, timeout)
        assert jobs, "the printer received no job"
        return jobs[0]

    def wait_until(self, check: object, timeout: float = 10.0) -> bool:
        with self._changed:
            return self._changed.wait_for(check, timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        self.resume()
        try:  # wakes the accept() in the server thread; close() alone would not
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()

    def __enter__(self) -> NetworkPrinter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with self._changed:
                self.connections += 1
            threading.Thread(target=self._job, args=(conn,), daemon=True).start()

    def _job(self, conn: socket.socket) -> None:
        data = bytearray()
        limit = self.vanish_after
        conn.settimeout(30)
        try:
            with conn:
                while True:
                    want = 65536 if limit is None else min(65536, limit - len(data))
                    chunk = conn.recv(want)
                    if not chunk:
                        break
                    data.extend(chunk)
                    if bytes(data).strip() == b"~HS":
                        conn.sendall(ZPL_READY)
                        data.clear()
                        continue
                    if limit is not None and len(data) >= limit:  # switched off: the rest is never read
                        with self._changed:
                            self.partial.append(bytes(data))
                            self._changed.notify_all()
                        return
                    if not self._running.is_set():
                        with self._changed:
                            self.held += 1
                            self._changed.notify_all()
                        self._running.wait()
                        with self._changed:
                            self.held -= 1
                if data and self.linger_s:
                    threading.Event().wait(self.linger_s)
        except OSError:
            if data:
                with self._changed:
                    self.partial.append(bytes(data))
                    self._changed.notify_all()
            return
        if data:
            with self._changed:
                self.jobs.append(bytes(data))
                self._changed.notify_all()
