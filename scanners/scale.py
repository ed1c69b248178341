"""Scale driver: one weight on demand over any serial port, whatever the protocol.

    with Scale("/dev/ttyUSB0", "mt-sics") as scale:
        reading = scale.read(timeout=5)       # waits for a stable weight
        print(reading.grams)

`read()` raises ScaleOverload / ScaleUnderload when the scale says so, ScaleTimeout
when no (stable) weight arrives in time, CommandRejected / ScaleError for errors the
scale reports, DeviceDisconnected when the port goes away (PortOpenError when it
cannot be opened). After a disconnect the next call reopens the port, so a caller
recovers by simply trying again. `ScaleMonitor` polls a scale in a thread for a
station agent that wants a live weight display.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from scanners.errors import (
    CommandRejected,
    DeviceDisconnected,
    DeviceError,
    FrameError,
    ScaleError,
    ScaleOverload,
    ScaleTimeout,
    ScaleUnderload,
    UnknownProtocol,
)
from scanners.ports import POLL_INTERVAL, SerialLink
from scanners.protocols import PROTOCOLS, mt_sics, nci, toledo
from scanners.readings import OVERLOAD, UNDERLOAD, Reading, error_reading

DEFAULT_TIMEOUT = 5.0


def normalize_protocol(name: str) -> str:
    """Canonical protocol name ("MT-SICS", "sics", "mt_sics" -> "mt-sics")."""
    key = name.strip().lower().replace("_", "-")
    key = {"sics": "mt-sics", "mtsics": "mt-sics", "toledo-continuous": "toledo",
           "continuous": "toledo"}.get(key, key)
    if key not in PROTOCOLS:
        raise UnknownProtocol(f"unknown scale protocol {name!r} (choose {', '.join(PROTOCOLS)})")
    return key


def _remaining(deadline: float) -> float:
    return deadline - time.monotonic()


class _Driver:
    """Protocol-specific half of a Scale: how to get one reading, zero and tare."""

    polled = True  # False when the scale streams by itself (no pause between samples)

    def __init__(self, link: SerialLink, reply_timeout: float) -> None:
        self.link = link
        self.reply_timeout = reply_timeout
        self.last_problem: str | None = None

    def sample(self, stable_only: bool, deadline: float) -> Reading | None:
        raise NotImplementedError

    def zero(self, deadline: float) -> None:
        raise NotImplementedError

    def tare(self, deadline: float) -> Reading | None:
        raise NotImplementedError


class _SicsDriver(_Driver):
    def __init__(self, link: SerialLink, reply_timeout: float) -> None:
        super().__init__(link, reply_timeout)
        self.decoder = mt_sics.LineDecoder()

    def _ask(self, cmd: bytes, ids: set[str], until: float,
             check: Callable[[mt_sics.Reply], object] | None = None) -> mt_sics.Reply | None:
        """Send a command and wait until `until` for its reply (None if none came).

        Lines that do not parse, or that `check` rejects with FrameError, are taken
        for line noise and skipped.
        """
        self.link.discard_input()
        self.decoder.clear()
        self.link.write(cmd)
        while _remaining(until) > 0:
            for line in self.decoder.feed(self.link.read(min(POLL_INTERVAL, _remaining(until)))):
                try:
                    reply = mt_sics.parse_reply(line)
                    if reply.command in mt_sics.ERROR_REPLIES:
                        return reply
                    if reply.command not in ids:
                        raise FrameError(f"unexpected reply {line!r}")
                    if check is not None:
                        check(reply)
                except FrameError as exc:
                    self.last_problem = str(exc)
                    continue
                return reply
        return None

    @staticmethod
    def _check_weight(reply: mt_sics.Reply) -> None:
        if reply.status != "I":
            try:
                mt_sics.reading_from_reply(reply)
            except CommandRejected:
                pass

    def sample(self, stable_only: bool, deadline: float) -> Reading | None:
        cmd = mt_sics.STABLE_WEIGHT if stable_only else mt_sics.IMMEDIATE_WEIGHT
        # Resend after reply_timeout in case line noise ate the command or its reply.
        until = min(deadline, time.monotonic() + self.reply_timeout)
        reply = self._ask(cmd, {"S"}, until, check=self._check_weight)
        if reply is None:
            return None
        if reply.status == "I" and reply.command == "S":
            self.last_problem = mt_sics.NOT_EXECUTABLE
            return error_reading(mt_sics.NOT_EXECUTABLE, reply.raw)
        return mt_sics.reading_from_reply(reply)

    def _settle(self, cmd: bytes, reply_id: str, what: str, deadline: float) -> mt_sics.Reply:
        """Send zero/tare (the scale waits for stability itself) and check the reply."""
        reply = self._ask(cmd, {reply_id}, deadline)
        if reply is None:
            raise ScaleTimeout(f"no reply to {what} from the scale")
        mt_sics.raise_if_error(reply)
        if reply.status in ("+", "-"):
            side = "above" if reply.status == "+" else "below"
            raise CommandRejected(
                f"{reply_id} {reply.status}: load {side} the range the scale can {what}"
            )
        return reply

    def zero(self, deadline: float) -> None:
        reply = self._settle(mt_sics.ZERO, "Z", "zero", deadline)
        if reply.status != "A":
            raise ScaleError(f"unexpected zero reply {reply.raw!r}")

    def tare(self, deadline: float) -> Reading | None:
        return mt_sics.reading_from_reply(self._settle(mt_sics.TARE, "T", "tare", deadline))


class _NciDriver(_Driver):
    def __init__(self, link: SerialLink, reply_timeout: float) -> None:
        super().__init__(link, reply_timeout)
        self.decoder = nci.FrameDecoder()

    def _ask(self, cmd: bytes, until: float) -> nci.Reply | None:
        self.link.discard_input()
        self.decoder.clear()
        self.link.write(cmd)
        while _remaining(until) > 0:
            for frame in self.decoder.feed(self.link.read(min(POLL_INTERVAL, _remaining(until)))):
                try:
                    return nci.parse_frame(frame)
                except FrameError as exc:
                    self.last_problem = str(exc)
        return None

    def sample(self, stable_only: bool, deadline: float) -> Reading | None:
        reply = self._ask(nci.WEIGHT, min(deadline, time.monotonic() + self.reply_timeout))
        if reply is None:
            return None
        reading = nci.reading_from_reply(reply)
        if reading.error == nci.NO_WEIGHT:
            self.last_problem = nci.NO_WEIGHT
        return reading

    def _status_after(self, cmd: bytes, what: str, deadline: float) -> nci.Status:
        reply = self._ask(cmd, deadline)
        if reply is None:
            raise ScaleTimeout(f"no reply to {what} from the scale")
        if reply.status is None:
            raise CommandRejected(f"the scale does not support {what} (replied '?')")
        status = reply.status
        if status.hardware_error:
            raise ScaleError(f"scale reports {status.hardware_error}")
        if status.over_capacity or status.under_capacity:
            side = "over" if status.over_capacity else "under"
            raise CommandRejected(f"cannot {what}: scale is {side} capacity")
        return status

    def zero(self, deadline: float) -> None:
        status = self._status_after(nci.ZERO, "zero", deadline)
        if not status.at_zero:
            raise CommandRejected(
                "the scale did not zero (in motion, or load outside its zero range)"
            )

    def tare(self, deadline: float) -> Reading | None:
        self._status_after(nci.TARE, "tare", deadline)
        return None


class _ToledoDriver(_Driver):
    polled = False

    def __init__(self, link: SerialLink, reply_timeout: float, checksum: bool | None) -> None:
        super().__init__(link, reply_timeout)
        self.decoder = toledo.FrameDecoder(checksum=checksum)

    def _frames(self, deadline: float, fresh: bool = True) -> Iterator[Reading]:
        """Readings from frames as they arrive, until the deadline."""
        if fresh:
            self.link.discard_input()
            self.decoder.clear()
        while _remaining(deadline) > 0:
            data = self.link.read(min(POLL_INTERVAL, _remaining(deadline)))
            for frame in self.decoder.feed(data):
                try:
                    yield toledo.parse_frame(frame)
                except FrameError as exc:
                    self.last_problem = str(exc)

    def sample(self, stable_only: bool, deadline: float) -> Reading | None:
        for reading in self._frames(deadline):
            return reading
        if self.last_problem is None:
            self.last_problem = "no frames from the scale (is continuous output enabled?)"
        return None

    def _after_command(self, cmd: bytes, done: Callable[[Reading], bool], what: str,
                       deadline: float) -> Reading:
        self.link.discard_input()
        self.decoder.clear()
        self.link.write(cmd)
        last: Reading | None = None
        for reading in self._frames(deadline, fresh=False):
            last = reading
            if reading.error is None and reading.stable and done(reading):
                return reading
        raise ScaleTimeout(f"the scale did not {what} (last reading: {last or 'none'})")

    def zero(self, deadline: float) -> None:
        self._after_command(toledo.ZERO, lambda r: r.grams == 0, "zero", deadline)

    def tare(self, deadline: float) -> Reading | None:
        self._after_command(toledo.TARE, lambda r: bool(r.net), "tare", deadline)
        return None


class Scale:
    """A scale on `port_url` speaking `protocol` ("mt-sics", "toledo" or "nci").

    The port opens lazily on first use and reopens after a disconnect. Calls are
    serialised by a lock, so a monitor thread and a one-off read can share a Scale.
    `checksum` applies to Toledo continuous (True/False/None = accept either).
    """

    def __init__(self, port_url: str, protocol: str, *, baudrate: int = 9600,
                 reply_timeout: float = 1.5, checksum: bool | None = None,
                 **port_settings: object) -> None:
        self.protocol = normalize_protocol(protocol)
        self.port_url = port_url
        self._link = SerialLink(port_url, baudrate=baudrate, **port_settings)
        self._lock = threading.RLock()
        self._driver: _Driver
        if self.protocol == "mt-sics":
            self._driver = _SicsDriver(self._link, reply_timeout)
        elif self.protocol == "nci":
            self._driver = _NciDriver(self._link, reply_timeout)
        else:
            self._driver = _ToledoDriver(self._link, reply_timeout, checksum)

    def open(self) -> Scale:
        """Open the port now (otherwise the first call does); PortOpenError if impossible."""
        with self._lock:
            self._link.open()
        return self

    def close(self) -> None:
        self._link.cancel_read()
        with self._lock:
            self._link.close()

    def __enter__(self) -> Scale:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, stable_only: bool = True, timeout: float = DEFAULT_TIMEOUT) -> Reading:
        """The current weight; with `stable_only`, the first weight the scale calls stable.

        Raises ScaleOverload/ScaleUnderload, ScaleTimeout, CommandRejected/ScaleError,
        DeviceDisconnected (see module doc).
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            self._driver.last_problem = None
            last: Reading | None = None
            while True:
                reading = self._driver.sample(stable_only, deadline)
                if reading is not None:
                    last = reading
                    if reading.error == OVERLOAD:
                        raise ScaleOverload(
                            f"scale overloaded: load above capacity ({reading.raw!r})"
                        )
                    if reading.error == UNDERLOAD:
                        raise ScaleUnderload(
                            f"scale under zero: platter lifted or zero drifted ({reading.raw!r})"
                        )
                    if reading.error is None and (reading.stable or not stable_only):
                        return reading
                if _remaining(deadline) <= 0:
                    break
                if self._driver.polled and reading is not None:
                    time.sleep(min(POLL_INTERVAL, max(_remaining(deadline), 0)))
        what = "stable weight" if stable_only else "weight"
        if last is not None and last.error is None:
            detail = f"last reading {last.grams} g in motion"
        else:
            detail = self._driver.last_problem or "no reply from the scale"
        raise ScaleTimeout(
            f"no {what} from the scale on {self.port_url} within {timeout:g} s ({detail})"
        )

    def poll(self, timeout: float = 1.0) -> Reading:
        """One reading as the scale gives it: possibly in motion, or an overload/underload
        error reading. For live displays; raises ScaleTimeout if nothing arrives."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._driver.last_problem = None
            while _remaining(deadline) > 0:
                reading = self._driver.sample(False, deadline)
                if reading is not None:
                    return reading
        raise ScaleTimeout(
            f"no reading from the scale on {self.port_url} within {timeout:g} s "
            f"({self._driver.last_problem or 'no reply'})"
        )

    def zero(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Zero the scale; CommandRejected if it refuses (in motion, out of zero range)."""
        with self._lock:
            self._driver.zero(time.monotonic() + timeout)

    def tare(self, timeout: float = DEFAULT_TIMEOUT) -> Reading | None:
        """Tare the current load; returns the stored tare when the protocol reports it."""
        with self._lock:
            return self._driver.tare(time.monotonic() + timeout)


class ScaleMonitor:
    """Polls a scale in a background thread and hands each reading to `on_reading`.

    Errors (disconnects, timeouts, refusals) go to `on_error` and never end the
    thread: after a disconnect it waits `retry_interval` and tries again, so the
    monitor follows a scale being unplugged and plugged back in. `stop()` ends it.
    """

    def __init__(self, scale: Scale, on_reading: Callable[[Reading], None], *,
                 on_error: Callable[[DeviceError], None] | None = None,
                 interval: float = 0.2, retry_interval: float = 0.5) -> None:
        self.scale = scale
        self.on_reading = on_reading
        self.on_error = on_error
        self.interval = interval
        self.retry_interval = retry_interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ScaleMonitor:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="scale-monitor", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def __enter__(self) -> ScaleMonitor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            pause = self.interval
            try:
                self.on_reading(self.scale.poll(timeout=max(1.0, 5 * self.interval)))
            except DeviceError as exc:
                if isinstance(exc, DeviceDisconnected):
                    pause = self.retry_interval
                if self.on_error is not None:
                    self.on_error(exc)
            self._stop.wait(pause)
