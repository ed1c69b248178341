"""`wms devices ...` against emulated devices: in-process for read-scale, as real
processes for the long-running commands."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import wms.cli.devices  # noqa: F401  (registers the commands)
from scanners.emulators import MtSicsScale, NciScale, SerialScanner, ToledoScale
from scanners.scale import Scale
from wms.cli import app

ROOT = Path(__file__).resolve().parents[3]
EMULATORS = {"mt-sics": MtSicsScale, "nci": NciScale, "toledo": ToledoScale}
runner = CliRunner()


def wms(*args):
    return runner.invoke(app, ["devices", *args])


@pytest.mark.parametrize("protocol", sorted(EMULATORS))
def test_read_scale_prints_grams(protocol):
    with EMULATORS[protocol](1240) as scale:
        result = wms("read-scale", "--port", scale.path, "--protocol", protocol)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "1240 g\n"


def test_read_scale_json():
    with MtSicsScale(1240) as scale:
        result = wms("read-scale", "--port", scale.path, "--protocol", "mt-sics", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["grams"], data["stable"], data["unit"]) == (1240, True, "g")


def test_read_scale_overload_is_a_clear_error():
    with NciScale(1240) as scale:
        scale.set_overload()
        result = wms("read-scale", "--port", scale.path, "--protocol", "nci")
    assert result.exit_code == 1
    assert "overload" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_read_scale_times_out_on_a_silent_scale():
    with MtSicsScale(1240) as scale:
        scale.mute()
        result = wms("read-scale", "--port", scale.path, "--protocol", "mt-sics",
                     "--timeout", "0.4")
    assert result.exit_code == 1
    assert "within 0.4 s" in result.stderr


def test_read_scale_rejects_an_unknown_protocol():
    result = wms("read-scale", "--port", "loop://", "--protocol", "cas-pd2")
    assert result.exit_code == 2
    assert "unknown scale protocol 'cas-pd2'" in result.stderr


def test_read_scale_names_a_port_that_cannot_be_opened(tmp_path):
    missing = str(tmp_path / "ttyUSB9")
    result = wms("read-scale", "--port", missing, "--protocol", "nci")
    assert result.exit_code == 1
    assert f"cannot open port {missing}" in result.stderr
    assert "Traceback" not in result.stderr


def _spawn(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_listen_scanner_prints_each_scan_and_stops_after_count():
    with SerialScanner(terminator=b"\r\n") as scanner:
        proc = _spawn("-c", "from wms.cli import main; main()", "devices", "listen-scanner",
                      "--port", scanner.path, "--count", "2", "--timeout", "20")
        try:
            assert "listening on" in proc.stderr.readline()  # port open: scans now reach it
            scanner.emit("6901234567892", aim="]E0")
            scanner.emit("0106901234567892\x1d10LOT42", aim="]C1")
            out, err = proc.communicate(timeout=20)
        finally:
            proc.kill()
    assert proc.returncode == 0, err
    assert out.splitlines() == ["6901234567892", "0106901234567892<GS>10LOT42"]


def test_emulator_module_prints_a_path_a_scale_driver_can_read():
    proc = _spawn("-m", "scanners.emulators", "mt-sics", "--grams", "1240")
    try:
        path = proc.stdout.readline().strip()
        with Scale(path, "mt-sics") as scale:
            assert scale.read(timeout=5).grams == 1240
        proc.stdin.write("2500\n")
        proc.stdin.flush()
        with Scale(path, "mt-sics") as scale:
            for _ in range(50):  # stdin is handled asynchronously by the emulator process
                if scale.read(timeout=5).grams == 2500:
                    break
            assert scale.read(timeout=5).grams == 2500
    finally:
        proc.terminate()
        proc.wait(10)
