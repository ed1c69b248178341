import pytest
import serial

from scanners.emulators import NciScale
from scanners.errors import DeviceDisconnected, PortOpenError
from scanners.ports import SerialLink, open_port


def test_serial_url_carries_line_settings_in_the_query():
    with NciScale(100) as scale:
        port = open_port(f"serial://{scale.path}?baudrate=19200&parity=E&bytesize=7")
        try:
            assert (port.baudrate, port.parity, port.bytesize) == (19200, serial.PARITY_EVEN, 7)
        finally:
            port.close()


def test_pyserial_urls_work():
    port = open_port("loop://")
    port.write(b"ping")
    port.timeout = 1
    assert port.read(4) == b"ping"
    port.close()


@pytest.mark.parametrize("url, reason", [
    ("/dev/definitely-not-here", "No such file"),
    ("serial:///dev/ttyS0?speed=9600", "unknown serial setting"),
    ("nosuchscheme://x", "cannot open"),
])
def test_bad_ports_raise_port_open_error_naming_the_port(url, reason):
    with pytest.raises(PortOpenError, match=reason) as info:
        open_port(url)
    assert url in str(info.value)


def test_link_reports_unplug_as_disconnected_and_reopens_after_replug(tmp_path):
    link_path = tmp_path / "dev"
    with NciScale(100, link=link_path) as scale:
        link = SerialLink(str(link_path))
        link.open()
        scale.unplug()
        with pytest.raises(DeviceDisconnected):
            link.write(b"W\r")
            link.read(1.0)
        assert not link.is_open
        scale.replug()
        link.write(b"W\r")
        assert scale.wait_received(b"W\r", timeout=5)
        link.close()
