"""station.toml: where the service is, and which ports the station's devices are on.

Every problem is a `ConfigError` whose message names the file, the key and the reason
(``station.toml: scale.protocol: must be mt-sics, toledo or nci (got 'acme')``), so a
person at the station can fix the file without reading a traceback. Unknown keys are
errors too: a misspelt `prot0col` must not silently fall back to a default.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from printing.sizes import DPIS, SIZES
from scanners.errors import UnknownProtocol
from scanners.scale import normalize_protocol

PRINTER_FORMATS = ("escpos", "zpl", "tspl")
AIM_MODES = {"auto": "auto", "on": True, "off": False}
_STATION_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")

SAMPLE_CONFIG = """\
# Station agent configuration: wms station run --config station.toml
# Relative paths are taken from this file's folder.

station = "PK-01"                 # the station code the service knows (letters, digits, . _ -)
outbox = "station-PK-01.outbox.db"  # local SQLite queue: events wait here while the service is away
heartbeat_s = 5                   # how often the service hears which devices are up

[service]
url = "http://127.0.0.1:8000"
token = "wms_..."                 # wms token create --role packer --name PK-01 (refreshed by the agent)
timeout_s = 10                    # no answer within this: "unreachable", the event is sent again

[scanner]                         # a serial (USB CDC-ACM / RS-232) scanner; leave out if none
port = "/dev/ttyACM0"             # a device path (/dev/serial/by-id/... survives replugs) or URL
baudrate = 9600
prefix = ""                       # stripped from each scan when present
suffix = ""
aim_ids = "auto"                  # "auto", "on" or "off": AIM symbology identifiers such as ]C1 ]E0
idle_flush_s = 0                  # > 0: a scan with no CR/LF ends after this much silence

[scale]                           # leave the section out if the station has no scale
port = "/dev/ttyUSB0"
protocol = "mt-sics"              # mt-sics, toledo or nci
scale_id = "SCALE-PK-01"          # recorded with every weighing
baudrate = 9600
poll_interval_s = 0.2             # how often the scale is asked (toledo streams by itself)
empty_below_g = 5                 # a reading under this means nothing is on the scale
resend_delta_g = 10               # a settled parcel that changes by more than this is weighed again
settle_s = 0.4                    # a stable reading must hold this long before it is sent

[printer]                         # the label printer; leave out if the service prints directly
url = "tcp://192.168.1.50:9100"   # tcp://host:9100, a serial device path/URL, file:///dev/usb/lp0
format = "escpos"                 # escpos, zpl or tspl
size = "100x150"                  # 100x150, 100x180 or 76x130 (mm)
dpi = 203                         # 203 or 300
check_status = true               # ask the printer (paper out, cover open) before sending a label
claim_interval_s = 2              # how often the agent asks the service for labels to print

[components]                      # platform print components on this PC (菜鸟/拼多多/抖音); all optional
cainiao = "ws://localhost:13528"  # where each listens (these are the documented defaults)
printer = ""                      # the component's printer by name; empty: its default printer
timeout_s = 30                    # how long to wait for the component to say printed or failed
"""


class ConfigError(ValueError):
    """A station.toml that cannot be used; the message names the file, the key and why."""


@dataclass(frozen=True)
class ServiceConfig:
    url: str
    token: str
    timeout_s: float = 10.0


@dataclass(frozen=True)
class ScannerConfig:
    port: str
    baudrate: int = 9600
    prefix: str = ""
    suffix: str = ""
    aim_ids: bool | str = "auto"  # True, False or "auto", as ScannerReader takes it
    idle_flush_s: float = 0.0


@dataclass(frozen=True)
class ScaleConfig:
    port: str
    protocol: str = "mt-sics"
    scale_id: str | None = None
    baudrate: int = 9600
    poll_interval_s: float = 0.2
    empty_below_g: int = 5
    resend_delta_g: int = 10
    settle_s: float = 0.4


@dataclass(frozen=True)
class PrinterConfig:
    url: str
    format: str = "escpos"
    size: str = "100x150"
    dpi: int = 203
    check_status: bool = True
    claim_interval_s: float = 2.0


@dataclass(frozen=True)
class ComponentsConfig:
    """The platforms' print components on the packing PC, for platform e-waybills."""

    addresses: dict[str, str] = field(default_factory=dict)  # cainiao / pinduoduo / douyin -> ws:// URL
    printer: str = ""
    timeout_s: float = 30.0


@dataclass(frozen=True)
class AgentConfig:
    station: str
    service: ServiceConfig
    outbox: Path
    heartbeat_s: float = 5.0
    scanner: ScannerConfig | None = None
    scale: ScaleConfig | None = None
    printer: PrinterConfig | None = None
    components: ComponentsConfig = field(default_factory=ComponentsConfig)


def load_config(path: str | Path) -> AgentConfig:
    """Read and check a station.toml; relative paths in it are taken from its folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file (wms station sample-config prints an example)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, where=str(path), base=path.resolve().parent)


class _Section:
    """Typed reads from one table of the file, each failure naming `section.key`."""

    def __init__(self, data: dict[str, Any], name: str, where: str) -> None:
        self.data, self.name, self.where = data, name, where
        self.seen: set[str] = set()

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(f"{self.where}: {self.name}{key}: {reason}")

    def _get(self, key: str, default: Any, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                raise self.fail(key, "is required")
            return default
        return self.data[key]

    def text(self, key: str, default: str | None = None, *, required: bool = False,
             allow_empty: bool = True) -> Any:
        value = self._get(key, default, required)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string in quotes (got {value!r})")
        if not allow_empty and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._get(key, default, False)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number (got {value!r})")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low} and {high} (got {value})")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self._get(key, default, False)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"must be a number (got {value!r})")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low:g} and {high:g} (got {value:g})")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key, default, False)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (got {value!r})")
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...] | list[str]) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self.fail(key, f"must be {_one_of(choices)} (got {value!r})")
        return value

    def check_no_unknown_keys(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise self.fail(unknown[0], "unknown key (wms station sample-config lists the keys)")


def _one_of(choices: tuple[str, ...] | list[str]) -> str:
    items = [str(c) for c in choices]
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]


def _table(data: dict[str, Any], name: str, where: str, required: bool = False) -> _Section | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ConfigError(f"{where}: [{name}]: section is required")
        return None
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {name}: must be a [{name}] section, not a single value")
    return _Section(value, f"{name}.", where)


def parse_config(data: dict[str, Any], where: str = "station.toml", base: Path | None = None
                 ) -> AgentConfig:
    """Check a parsed station.toml (a dict shaped like the file). `where` names the file
    in messages; a relative outbox path is taken from `base` (the current folder if None)."""
    top = _Section(data, "", where)
    station = top.text("station", required=True, allow_empty=False).strip()
    if not _STATION_CODE.match(station):
        raise top.fail("station",
                       f"use letters, digits, '.', '_' or '-' only, at most 40 (got {station!r})")
    heartbeat_s = top.number("heartbeat_s", 5.0, 0.1, 300)
    outbox_text = top.text("outbox", f"station-{station}.outbox.db", allow_empty=False)
    outbox = Path(outbox_text).expanduser()
    if not outbox.is_absolute():
        outbox = (base or Path.cwd()) / outbox
    top.seen.update({"service", "scanner", "scale", "printer", "components"})
    top.check_no_unknown_keys()

    section = _table(data, "service", where, required=True)
    assert section is not None
    url = section.text("url", required=True, allow_empty=False).strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise section.fail("url", f"must be an http:// or https:// address (got {url!r})")
    token = section.text("token", required=True, allow_empty=False).strip()
    service = ServiceConfig(url=url, token=token,
                            timeout_s=section.number("timeout_s", 10.0, 0.5, 300))
    section.check_no_unknown_keys()

    return AgentConfig(station=station, service=service, outbox=outbox, heartbeat_s=heartbeat_s,
                       scanner=_scanner(data, where), scale=_scale(data, where),
                       printer=_printer(data, where), components=_components(data, where))


def _scanner(data: dict[str, Any], where: str) -> ScannerConfig | None:
    s = _table(data, "scanner", where)
    if s is None:
        return None
    aim = s.choice("aim_ids", "auto", list(AIM_MODES))
    config = ScannerConfig(
        port=s.text("port", required=True, allow_empty=False).strip(),
        baudrate=s.integer("baudrate", 9600, 300, 4_000_000),
        prefix=s.text("prefix", ""), suffix=s.text("suffix", ""), aim_ids=AIM_MODES[aim],
        idle_flush_s=s.number("idle_flush_s", 0.0, 0.0, 10.0),
    )
    s.check_no_unknown_keys()
    return config


def _scale(data: dict[str, Any], where: str) -> ScaleConfig | None:
    s = _table(data, "scale", where)
    if s is None:
        return None
    port = s.text("port", required=True, allow_empty=False).strip()
    protocol_text = s.text("protocol", "mt-sics", allow_empty=False)
    try:
        protocol = normalize_protocol(protocol_text)
    except UnknownProtocol:
        raise s.fail("protocol",
                     f"must be mt-sics, toledo or nci (got {protocol_text!r})") from None
    scale_id = (s.text("scale_id", None) or "").strip() or None
    config = ScaleConfig(
        port=port, protocol=protocol, scale_id=scale_id,
        baudrate=s.integer("baudrate", 9600, 300, 4_000_000),
        poll_interval_s=s.number("poll_interval_s", 0.2, 0.02, 10.0),
        empty_below_g=s.integer("empty_below_g", 5, 0, 100_000),
        resend_delta_g=s.integer("resend_delta_g", 10, 1, 100_000),
        settle_s=s.number("settle_s", 0.4, 0.0, 30.0),
    )
    s.check_no_unknown_keys()
    return config


def _printer(data: dict[str, Any], where: str) -> PrinterConfig | None:
    s = _table(data, "printer", where)
    if s is None:
        return None
    config = PrinterConfig(
        url=s.text("url", required=True, allow_empty=False).strip(),
        format=s.choice("format", "escpos", PRINTER_FORMATS),
        size=s.choice("size", "100x150", list(SIZES)),
        dpi=_dpi(s),
        check_status=s.flag("check_status", True),
        claim_interval_s=s.number("claim_interval_s", 2.0, 0.1, 600),
    )
    s.check_no_unknown_keys()
    return config


def _components(data: dict[str, Any], where: str) -> ComponentsConfig:
    s = _table(data, "components", where)
    if s is None:
        return ComponentsConfig()
    addresses = {}
    for name in ("cainiao", "pinduoduo", "douyin"):
        url = s.text(name, None)
        if url is not None:
            if not url.strip().startswith(("ws://", "wss://")):
                raise s.fail(name, f"must be a ws:// or wss:// address (got {url!r})")
            addresses[name] = url.strip()
    config = ComponentsConfig(addresses, s.text("printer", "") or "", s.number("timeout_s", 30.0, 1.0, 600))
    s.check_no_unknown_keys()
    return config


def _dpi(s: _Section) -> int:
    dpi = s.integer("dpi", 203, 1, 10_000)
    if dpi not in DPIS:
        raise s.fail("dpi", f"must be {_one_of([str(d) for d in DPIS])} (got {dpi})")
    return dpi
