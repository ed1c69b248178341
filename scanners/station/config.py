"""station.toml: where the service is, and which ports the station's devices are on."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE = """\
# Station agent configuration (wms station run --config station.toml)
station = "PK-01"                 # the station code the service knows
outbox = "var/station-PK-01.db"   # local queue: scans and weights wait here while the service is away

[service]
url = "http://127.0.0.1:8000"
token = "wms_..."                 # wms token create --role packer --name PK-01

[scanner]                         # serial (USB CDC-ACM / RS-232) scanner; leave out for a keyboard-wedge one
port = "/dev/ttyACM0"             # a device path or any pyserial URL (socket://host:port, rfc2217://...)
prefix = ""                       # stripped from each scan
suffix = ""
aim_ids = "auto"                  # "auto", "on" or "off": AIM symbology identifiers like ]C1 ]E0

[scale]
port = "/dev/ttyUSB0"
protocol = "mt-sics"              # mt-sics, toledo or nci
scale_id = "SCALE-PK-01"
min_grams = 5                     # readings below this mean "nothing on the scale"

[printer]
url = "/dev/usb/lp0"              # serial path / pyserial URL, tcp://host:9100 or file:///path
format = "escpos"                 # escpos, zpl or tspl
size = "100x150"
dpi = 203
"""


class ConfigError(ValueError):
    """The message names the file, the key and what is wrong."""


@dataclass(frozen=True)
class StationConfig:
    station: str
    service_url: str
    token: str
    outbox: str
    scanner: dict[str, Any] = field(default_factory=dict)
    scale: dict[str, Any] = field(default_factory=dict)
    printer: dict[str, Any] = field(default_factory=dict)
    heartbeat_s: float = 5.0


def load_config(path: str | Path) -> StationConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (wms station sample-config prints an example)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, str(path))


def parse_config(data: dict[str, Any], where: str = "station.toml") -> StationConfig:
    def need(section: dict[str, Any], key: str, label: str) -> Any:
        value = section.get(key)
        if value in (None, ""):
            raise ConfigError(f"{where}: {label} is required")
        return value

    service = data.get("service")
    if not isinstance(service, dict):
        raise ConfigError(f"{where}: a [service] section with url and token is required")
    station = str(need(data, "station", "station"))
    url = str(need(service, "url", "service.url"))
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: service.url must start with http:// or https://")
    scale = dict(data.get("scale") or {})
    if scale:
        need(scale, "port", "scale.port")
        if scale.get("protocol", "mt-sics") not in ("mt-sics", "toledo", "nci"):
            raise ConfigError(f"{where}: scale.protocol must be mt-sics, toledo or nci")
    scanner = dict(data.get("scanner") or {})
    if scanner:
        need(scanner, "port", "scanner.port")
    printer = dict(data.get("printer") or {})
    if printer:
        need(printer, "url", "printer.url")
        if printer.get("format", "escpos") not in ("escpos", "zpl", "tspl"):
            raise ConfigError(f"{where}: printer.format must be escpos, zpl or tspl")
    return StationConfig(
        station=station, service_url=url.rstrip("/"), token=str(need(service, "token", "service.token")),
        outbox=str(data.get("outbox") or f"station-{station}.db"), scanner=scanner, scale=scale,
        printer=printer, heartbeat_s=float(data.get("heartbeat_s", 5.0)),
    )
