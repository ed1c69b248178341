"""station.toml: a good file gives the settings, a bad one names the file, key and reason."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scanners.agent.config import SAMPLE_CONFIG, ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[3]

GOOD = """\
station = "PK-01"
[service]
url = "http://wms.local:8000/"
token = "wms_abc"
[scale]
port = "/dev/ttyUSB0"
protocol = "MT_SICS"
scale_id = "SC-1"
[printer]
url = "tcp://10.0.0.9:9100"
format = "zpl"
dpi = 300
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "station.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_config_is_a_valid_config():
    cfg = parse_config(tomllib.loads(SAMPLE_CONFIG))
    assert cfg.station == "PK-01"
    assert (cfg.scanner.port, cfg.scale.protocol, cfg.printer.format) == ("/dev/ttyACM0", "mt-sics", "escpos")


def test_a_small_config_gets_defaults_and_its_outbox_next_to_the_file(tmp_path):
    cfg = load_config(write(tmp_path, GOOD))
    assert cfg.service.url == "http://wms.local:8000"
    assert cfg.outbox == tmp_path.resolve() / "station-PK-01.outbox.db"
    assert cfg.scanner is None
    assert (cfg.scale.protocol, cfg.scale.scale_id, cfg.scale.poll_interval_s) == ("mt-sics", "SC-1", 0.2)
    assert (cfg.printer.format, cfg.printer.size, cfg.printer.dpi) == ("zpl", "100x150", 300)


def test_scanner_aim_setting_is_read_as_the_reader_takes_it(tmp_path):
    cfg = load_config(write(tmp_path, GOOD + '[scanner]\nport = "socket://127.0.0.1:7000"\naim_ids = "off"\n'))
    assert cfg.scanner.aim_ids is False


@pytest.mark.parametrize("change,message", [
    ('station = ""', "station: must not be empty"),
    ('station = "PK 01"', "station: use letters, digits"),
    ('heartbeat_s = "5"', "heartbeat_s: must be a number"),
    ('outbox = 3', "outbox: must be a string"),
    ('colour = "red"', "colour: unknown key"),
])
def test_a_bad_top_level_key_is_named(tmp_path, change, message):
    text = GOOD.replace('station = "PK-01"', change) if change.startswith("station") else change + "\n" + GOOD
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(write(tmp_path, text))
    assert str(caught.value).startswith(str(tmp_path / "station.toml") + ": ")


@pytest.mark.parametrize("old,new,message", [
    ('url = "http://wms.local:8000/"', 'url = "wms.local:8000"', "service.url: must be an http:// or https://"),
    ('token = "wms_abc"', "", "service.token: is required"),
    ('protocol = "MT_SICS"', 'protocol = "acme"', "scale.protocol: must be mt-sics, toledo or nci"),
    ('protocol = "MT_SICS"', 'prot0col = "nci"', "scale.prot0col: unknown key"),
    ('port = "/dev/ttyUSB0"', "", "scale.port: is required"),
    ('format = "zpl"', 'format = "pcl"', "printer.format: must be escpos, zpl or tspl"),
    ("dpi = 300", "dpi = 250", "printer.dpi: must be 203 or 300"),
    ("dpi = 300", 'dpi = "300"', "printer.dpi: must be a whole number"),
    ("dpi = 300", 'size = "A4"', "printer.size: must be 100x150"),
    ('scale_id = "SC-1"', "poll_interval_s = 0", "scale.poll_interval_s: must be between"),
])
def test_a_bad_key_in_a_section_is_named_with_its_section(tmp_path, old, new, message):
    assert old in GOOD
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, GOOD.replace(old, new, 1)))


def test_a_section_written_as_a_single_value_says_it_must_be_a_section(tmp_path):
    text = 'printer = "tcp://10.0.0.9:9100"\n' + GOOD.split("[printer]")[0]
    with pytest.raises(ConfigError, match=r"printer: must be a \[printer\] section"):
        load_config(write(tmp_path, text))


def test_a_file_without_a_service_section_says_so(tmp_path):
    with pytest.raises(ConfigError, match=r"\[service\]: section is required"):
        load_config(write(tmp_path, 'station = "PK-01"\n'))


def test_a_file_that_is_not_toml_names_the_line(tmp_path):
    with pytest.raises(ConfigError, match=r"station.toml: not valid TOML: .*line 2"):
        load_config(write(tmp_path, 'station = "PK-01"\n[service\n'))


def test_a_missing_file_says_how_to_get_an_example(tmp_path):
    with pytest.raises(ConfigError, match="nope.toml: no such file .*sample-config"):
        load_config(tmp_path / "nope.toml")


def wms(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from wms.cli import main; main()", *args],
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_station_run_with_a_bad_config_prints_one_line_and_no_traceback(tmp_path):
    path = write(tmp_path, GOOD.replace('format = "zpl"', 'format = "pcl"'))
    done = wms("station", "run", "--config", str(path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: {path}: printer.format: must be escpos, zpl or tspl (got 'pcl')"]


def test_sample_config_command_prints_a_config_that_loads(tmp_path):
    done = wms("station", "sample-config")
    assert done.returncode == 0
    cfg = load_config(write(tmp_path, done.stdout))
    assert cfg.scale.scale_id == "SCALE-PK-01"
