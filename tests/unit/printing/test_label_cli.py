"""`wms label render|print|sample`: files and printers get labels; bad input gets a one-line
error naming the field, a non-zero exit, and the printer gets nothing."""

from __future__ import annotations

import json
import time

import pytest
from label_decoders import decode_escpos, decode_tspl, decode_zpl
from PIL import Image
from typer.testing import CliRunner

import wms.cli.label  # noqa: F401  (registers `wms label`)
from wms.cli import app

runner = CliRunner()


@pytest.fixture
def waybill_file(tmp_path, waybill_dict):
    def write(data: dict | None = None) -> str:
        path = tmp_path / "waybill.json"
        path.write_text(json.dumps(data or waybill_dict, ensure_ascii=False), encoding="utf-8")
        return str(path)

    return write


def test_sample_writes_the_spec_waybill(tmp_path):
    out = tmp_path / "w.json"
    result = runner.invoke(app, ["label", "sample", "-o", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["tracking_no"] == "SF1400012345678"


@pytest.mark.parametrize(("fmt", "size", "dpi"), [
    ("pdf", "100x150", 203), ("png", "100x180", 300), ("escpos", "76x130", 203),
    ("zpl", "100x150", 300), ("tspl", "100x180", 203),
])
def test_render_writes_each_format(tmp_path, waybill_file, fmt, size, dpi):
    out = tmp_path / f"label.{fmt}"
    result = runner.invoke(app, ["label", "render", waybill_file(), "--format", fmt,
                                 "--size", size, "--dpi", str(dpi), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    width_mm, height_mm = (float(v) for v in size.split("x"))
    dots = (round(width_mm * dpi / 25.4), round(height_mm * dpi / 25.4))
    if fmt == "pdf":
        assert data.startswith(b"%PDF")
    elif fmt == "png":
        assert Image.open(out).size == dots
    elif fmt == "escpos":
        assert decode_escpos(data).image.height == dots[1]
    elif fmt == "zpl":
        assert decode_zpl(data).image.size == dots
    else:
        assert decode_tspl(data, dpi).size_mm == (width_mm, height_mm)


def test_render_takes_the_format_from_the_file_name(tmp_path, waybill_file):
    out = tmp_path / "label.zpl"
    assert runner.invoke(app, ["label", "render", waybill_file(), "-o", str(out)]).exit_code == 0
    assert out.read_bytes().startswith(b"^XA")


def test_print_sends_the_label_to_a_network_printer(tcp_printer, waybill_file):
    result = runner.invoke(app, ["label", "print", waybill_file(), "--printer", tcp_printer.url])
    assert result.exit_code == 0, result.output
    job = decode_escpos(tcp_printer.wait_job())
    assert job.image.height == 1199


def test_print_to_a_serial_printer(pty_printer, waybill_file):
    result = runner.invoke(app, ["label", "print", waybill_file(), "--format", "zpl",
                                 "--printer", f"serial://{pty_printer.path}?baudrate=115200"])
    assert result.exit_code == 0, result.output
    sent = int(result.stdout.split()[1])
    assert decode_zpl(pty_printer.wait_for(sent)).width == 799


def bad(data: dict, what: str) -> dict:
    if what == "missing recipient":
        del data["recipient"]
    elif what == "missing recipient phone":
        del data["recipient"]["phone"]
    elif what == "non-ascii tracking number":
        data["tracking_no"] = "SF１４０００１２３"
    return data


@pytest.mark.parametrize(("what", "args", "field"), [
    ("missing recipient", [], "recipient is required"),
    ("missing recipient phone", [], "recipient.phone is required"),
    ("non-ascii tracking number", [], "tracking_no"),
    ("unknown size", ["--size", "80x120"], "size must be one of"),
    ("unknown format", ["--format", "pcl"], "format must be one of"),
    ("unknown dpi", ["--dpi", "600"], "dpi must be one of"),
])
def test_bad_input_names_the_field_and_sends_nothing(tcp_printer, waybill_file, waybill_dict,
                                                     what, args, field):
    result = runner.invoke(app, ["label", "print", waybill_file(bad(waybill_dict, what)),
                                 "--printer", tcp_printer.url, *args])
    assert result.exit_code == 2
    assert field in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, no traceback
    time.sleep(0.05)
    assert tcp_printer.connections == 0 and tcp_printer.bytes_received == 0


def test_unreadable_json_is_reported_with_its_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"tracking_no": "SF1",', encoding="utf-8")
    result = runner.invoke(app, ["label", "render", str(path), "--format", "pdf",
                                 "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    assert "not valid JSON (line 1" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_printer_scheme_is_refused(waybill_file):
    result = runner.invoke(app, ["label", "print", waybill_file(), "--printer", "lpd://q"])
    assert result.exit_code == 2
    assert "unknown scheme lpd://" in result.stderr


def test_status_reports_a_printer_that_does_not_answer(tcp_printer):
    result = runner.invoke(app, ["label", "status", "--printer", tcp_printer.url,
                                 "--timeout", "0.2"])
    assert result.exit_code == 1
    assert "unknown" in result.stdout
