"""Device emulators on pseudo-terminals (or TCP), for tests and demos without hardware.

An emulator owns the device side of a link; code under test opens `emulator.path`
exactly like a real device: a pty path such as `/dev/pts/7` (pyserial opens it as a
serial port) or, with `transport="tcp"`, a `socket://127.0.0.1:PORT` URL.

Unplug and replug. `unplug()` closes the device side, so a reader blocked on the port
gets an I/O error at once, as with a USB adapter pulled out. A pty cannot come back
under the same name, so for replug tests give `link="/some/dir/scale"`: `path` is then
that symlink, repointed atomically at each new pty and removed while unplugged - the
way udev's /dev/serial/by-id/ links behave for real USB devices. With the TCP
transport the listening port is reused on replug, so the URL stays the same too.

`mute()` keeps the device plugged in but silent (a scale in a menu, a hung firmware).
Everything the host sent is kept in `received`; `wait_received()` lets tests wait for
a command instead of sleeping.
"""

from __future__ import annotations

import errno
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from typing import Literal

Transport = Literal["pty", "tcp"]


class _Pty:
    """Master/slave pair; we keep the slave open ourselves so the master never sees EIO
    when the client closes and reopens, and put it in raw mode so nothing echoes."""

    def __init__(self, link: str | os.PathLike[str] | None) -> None:
        self.link = Path(link) if link is not None else None
        self.master: int | None = None
        self.slave: int | None = None
        self.tty_path: str | None = None

    @property
    def path(self) -> str | None:
        if self.link is not None:
            return str(self.link)
        return self.tty_path

    def plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self.master, self.slave = master, slave
        self.tty_path = os.ttyname(slave)
        if self.link is not None:
            tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.tmp")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            os.symlink(self.tty_path, tmp)
            os.replace(tmp, self.link)

    def unplug(self) -> None:
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()
        for fd in (self.master, self.slave):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.master = self.slave = None

    def fds(self) -> list[int]:
        return [self.master] if self.master is not None else []

    def read_ready(self, fd: int) -> bytes:
        try:
            return os.read(fd, 4096)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError as exc:
            if exc.errno == errno.EIO:  # no client side: nothing to read
                return b""
            raise

    def write(self, data: bytes) -> int:
        """Write what the line takes; like a real serial line, bytes nobody reads are lost."""
        if self.master is None:
            return 0
        sent = 0
        while sent < len(data):
            try:
                sent += os.write(self.master, data[sent:])
            except BlockingIOError:
                ready = select.select([], [self.master], [], 0.5)[1]
                if not ready:
                    break
            except OSError:
                break
        return sent


class _Tcp:
    """A listening socket with at most one client (a newer client replaces the older)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.listener: socket.socket | None = None
        self.conn: socket.socket | None = None
        self.has_client = threading.Event()

    @property
    def path(self) -> str | None:
        return f"socket://{self.host}:{self.port}" if self.port else None

    def plug(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(1)
        self.port = listener.getsockname()[1]
        self.listener = listener

    def unplug(self) -> None:
        for sock in (self.conn, self.listener):
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
        self.conn = self.listener = None
        self.has_client.clear()

    def fds(self) -> list[int]:
        return [s.fileno() for s in (self.listener, self.conn) if s is not None]

    def read_ready(self, fd: int) -> bytes:
        if self.listener is not None and fd == self.listener.fileno():
            conn, _ = self.listener.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.conn is not None:
                self.conn.close()
            self.conn = conn
            self.has_client.set()
            return b""
        if self.conn is not None and fd == self.conn.fileno():
            try:
                data = self.conn.recv(4096)
            except OSError:
                data = b""
            if not data:
                self.conn.close()
                self.conn = None
                self.has_client.clear()
            return data
        return b""

    def write(self, data: bytes) -> int:
        if self.conn is None:
            return 0
        try:
            self.conn.sendall(data)
            return len(data)
        except OSError:
            return 0


class Emulator:
    """Base of all device emulators: transport, background thread, unplug/replug.

    Subclasses override `on_bytes(data)` (bytes from the host, called in the emulator
    thread) and optionally `on_tick(now)` (called at least every `tick` seconds), and
    answer with `respond()` (dropped while muted) or `send()` (always sent).
    """

    tick = 0.01

    def __init__(self, *, transport: Transport = "pty", link: str | os.PathLike[str] | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        if transport == "pty":
            self._transport: _Pty | _Tcp = _Pty(link)
        elif transport == "tcp":
            self._transport = _Tcp(host, port)
        else:
            raise ValueError(f"unknown transport {transport!r} (pty or tcp)")
        self.transport = transport
        self.responding = True
        self.noise = b""  # sent before every reply: line noise the host must skip
        self.split_pause = 0.0  # seconds between the two halves of every reply
        self._lock = threading.RLock()
        self._received = bytearray()
        self._received_changed = threading.Condition(self._lock)
        self._generation = 0
        self._plugged = False
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        self._thread: threading.Thread | None = None

    # -- what tests and demos use ------------------------------------------------
    @property
    def path(self) -> str:
        """Where to open the device: a pty path, its symlink, or a socket:// URL."""
        path = self._transport.path
        if path is None:
            raise RuntimeError("emulator not started")
        return path

    @property
    def tty_path(self) -> str | None:
        """The current pty device itself (changes on replug), None for TCP."""
        return getattr(self._transport, "tty_path", None)

    @property
    def plugged(self) -> bool:
        return self._plugged

    def start(self) -> Emulator:
        if self._thread is not None:
            return self
        self._stop.clear()
        self.replug()
        self._thread = threading.Thread(target=self._run, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self.unplug()

    def close(self) -> None:
        """Stop and release the wake-up pipe; the emulator cannot be restarted."""
        self.stop()
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def unplug(self) -> None:
        """Pull the cable: close the device side so the host's next I/O fails."""
        with self._lock:
            if not self._plugged:
                return
            self._generation += 1
            self._transport.unplug()
            self._plugged = False
        self._wake()

    def replug(self) -> None:
        """Plug back in (a new pty behind the same `link`, or the same TCP port)."""
        with self._lock:
            if self._plugged:
                return
            self._generation += 1
            self._transport.plug()
            self._plugged = True
            self.on_replug()
        self._wake()

    def wait_client(self, timeout: float = 5.0) -> bool:
        """TCP: wait until a host has connected (bytes sent before that are lost).
        A pty is always ready: the host's side exists as soon as we are plugged in."""
        if isinstance(self._transport, _Tcp):
            return self._transport.has_client.wait(timeout)
        return self._plugged

    def mute(self) -> None:
        """Stay plugged in but stop answering."""
        self.responding = False

    def unmute(self) -> None:
        self.responding = True

    def inject(self, raw: bytes) -> None:
        """Put arbitrary bytes on the line (garbage, partial frames) as if the device sent them."""
        self.send(raw)

    @property
    def received(self) -> bytes:
        """Every byte the host has sent since start (or `clear_received`)."""
        with self._lock:
            return bytes(self._received)

    def clear_received(self) -> None:
        with self._lock:
            self._received.clear()

    def wait_received(self, expected: bytes | int | Callable[[bytes], bool],
                      timeout: float = 5.0) -> bool:
        """Wait until the host has sent `expected` (bytes contained, a byte count, or a
        predicate over everything received). True if it happened in time."""
        if isinstance(expected, bytes):
            check: Callable[[bytes], bool] = lambda got: expected in got  # noqa: E731
        elif isinstance(expected, int):
            check = lambda got: len(got) >= expected  # noqa: E731
        else:
            check = expected
        with self._received_changed:
            return self._received_changed.wait_for(lambda: check(bytes(self._received)), timeout)

    # -- for subclasses ------------------------------------------------------------
    def send(self, data: bytes) -> None:
        with self._lock:
            self._transport.write(data)

    def respond(self, data: bytes) -> None:
        """Send a reply (or streamed frame) unless muted, with any configured line
        trouble: `noise` bytes first, and with `split_pause` the reply in two halves
        that far apart in time, so the host sees a partial frame first."""
        if not self.responding:
            return
        if self.noise:
            self.send(self.noise)
        if self.split_pause and len(data) > 1:
            half = len(data) // 2
            self.send(data[:half])
            time.sleep(self.split_pause)
            data = data[half:]
        self.send(data)

    def on_bytes(self, data: bytes) -> None:
        """Bytes from the host, in arrival order."""

    def on_tick(self, now: float) -> None:
        """Periodic hook for streaming devices and delayed answers."""

    def on_replug(self) -> None:
        """Called with the new link up; drop half-received commands etc."""

    # -- thread -----------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                generation = self._generation
                fds = self._transport.fds()
            try:
                ready = select.select([*fds, self._wake_r], [], [], self.tick)[0]
            except (OSError, ValueError):  # an fd closed under us by unplug: look again
                ready = []
            if self._wake_r in ready:
                try:
                    os.read(self._wake_r, 1024)
                except OSError:
                    pass
            for fd in ready:
                if fd == self._wake_r:
                    continue
                with self._lock:
                    if generation != self._generation:
                        break
                    try:
                        data = self._transport.read_ready(fd)
                    except OSError:
                        data = b""
                    if data:
                        self._received.extend(data)
                        self._received_changed.notify_all()
                if data:
                    self.on_bytes(data)
            self.on_tick(time.monotonic())
