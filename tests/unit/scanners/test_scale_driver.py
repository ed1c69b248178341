"""The Scale driver against emulated scales on real pseudo-terminals (and TCP)."""

import threading
import time

import pytest

from scanners.emulators import MtSicsScale, NciScale, ToledoScale
from scanners.errors import (
    CommandRejected,
    DeviceDisconnected,
    PortOpenError,
    ScaleOverload,
    ScaleTimeout,
    ScaleUnderload,
    UnknownProtocol,
)
from scanners.scale import Scale, ScaleMonitor

EMULATORS = {"mt-sics": MtSicsScale, "nci": NciScale, "toledo": ToledoScale}


@pytest.fixture(params=sorted(EMULATORS))
def scale_pair(request):
    """An emulated scale holding 1240 g and a Scale driver opened on it."""
    protocol = request.param
    emulator = EMULATORS[protocol](1240)
    emulator.start()
    scale = Scale(emulator.path, protocol)
    yield emulator, scale
    scale.close()
    emulator.close()


def test_reads_a_stable_weight_in_grams(scale_pair):
    emulator, scale = scale_pair
    reading = scale.read(timeout=5)
    assert (reading.grams, reading.stable, reading.error) == (1240, True, None)


def test_waits_while_the_load_settles(scale_pair):
    emulator, scale = scale_pair
    emulator.set_weight(2315, stable=False)
    threading.Timer(0.3, emulator.set_stable).start()
    reading = scale.read(timeout=5)
    assert (reading.grams, reading.stable) == (2315, True)


def test_reading_in_motion_is_reported_unstable_when_asked_for(scale_pair):
    emulator, scale = scale_pair
    emulator.set_weight(800, stable=False)
    reading = scale.read(stable_only=False, timeout=5)
    assert (reading.grams, reading.stable) == (800, False)


def test_a_load_that_never_settles_times_out(scale_pair):
    emulator, scale = scale_pair
    if isinstance(emulator, MtSicsScale):
        emulator.stable_wait = 0.2
    emulator.set_weight(800, stable=False)
    with pytest.raises(ScaleTimeout, match="stable"):
        scale.read(timeout=0.8)


def test_overload_raises(scale_pair):
    emulator, scale = scale_pair
    emulator.set_overload()
    with pytest.raises(ScaleOverload):
        scale.read(timeout=5)


def test_underload_raises(scale_pair):
    emulator, scale = scale_pair
    emulator.set_underload()
    with pytest.raises(ScaleUnderload):
        scale.read(timeout=5)


def test_garbage_before_every_reply_is_skipped(scale_pair):
    emulator, scale = scale_pair
    emulator.noise = b"\x00\xff\x02\x03\n\rS X\x13junk\r\n\xfe"
    assert scale.read(timeout=5).grams == 1240


def test_replies_arriving_in_pieces_are_joined(scale_pair):
    emulator, scale = scale_pair
    emulator.split_pause = 0.06
    assert scale.read(timeout=5).grams == 1240


def test_tare_then_zero(scale_pair):
    emulator, scale = scale_pair
    scale.tare(timeout=5)
    emulator.set_weight(1240 + 500)
    reading = scale.read(timeout=5)
    assert reading.grams == 500
    scale.zero(timeout=5)
    assert scale.read(timeout=5).grams == 0


def test_a_silent_scale_times_out(scale_pair):
    emulator, scale = scale_pair
    emulator.mute()
    started = time.monotonic()
    with pytest.raises(ScaleTimeout):
        scale.read(timeout=0.5)
    assert time.monotonic() - started < 3


def test_unplug_mid_read_raises_disconnected_without_waiting_for_the_timeout(scale_pair):
    emulator, scale = scale_pair
    scale.open()
    emulator.mute()

    def pull_cable():
        emulator.wait_received(lambda got: got != b"", timeout=0.3)  # the command, if any
        emulator.unplug()

    threading.Thread(target=pull_cable).start()
    started = time.monotonic()
    with pytest.raises(DeviceDisconnected):
        scale.read(timeout=30)
    assert time.monotonic() - started < 10


def test_driver_reconnects_after_replug_on_a_stable_link(tmp_path):
    link = tmp_path / "scale"
    with MtSicsScale(1240, link=link) as emulator:
        scale = Scale(str(link), "mt-sics")
        assert scale.read(timeout=5).grams == 1240
        emulator.unplug()
        with pytest.raises(DeviceDisconnected):
            scale.read(timeout=5)
        emulator.replug()
        emulator.set_weight(777)
        assert scale.read(timeout=5).grams == 777
        scale.close()


def test_mt_sics_tare_returns_the_stored_tare():
    with MtSicsScale(350) as emulator:
        with Scale(emulator.path, "mt-sics") as scale:
            assert scale.tare(timeout=5).grams == 350
            assert emulator.commands == ["T"]


def test_mt_sics_zero_refused_while_in_motion():
    with MtSicsScale(40, stable=False, stable_wait=0.1) as emulator:
        with Scale(emulator.path, "mt-sics") as scale:
            with pytest.raises(CommandRejected, match="Z I"):
                scale.zero(timeout=5)


def test_mt_sics_in_kilograms_and_pounds():
    with MtSicsScale(1234, unit="kg", decimals=3) as kg, MtSicsScale(1229, unit="lb") as lb:
        assert Scale(kg.path, "mt-sics").read(timeout=5).grams == 1234
        assert Scale(lb.path, "mt-sics").read(timeout=5).unit == "lb"


def test_nci_scale_without_status_prefix_in_pounds():
    with NciScale(1229, unit="lb", unit_text="LB", decimals=2, status_prefix=b"") as emulator:
        reading = Scale(emulator.path, "nci").read(timeout=5)
        assert (reading.grams, reading.unit) == (1229, "lb")  # 2.71 lb


def test_nci_zero_refused_while_in_motion():
    with NciScale(40, stable=False) as emulator:
        with Scale(emulator.path, "nci") as scale:
            with pytest.raises(CommandRejected, match="did not zero"):
                scale.zero(timeout=5)


def test_toledo_stream_with_checksums_in_pounds():
    with ToledoScale(1229, unit="lb", decimals=2, checksum=True) as emulator:
        with Scale(emulator.path, "toledo", checksum=True) as scale:
            reading = scale.read(timeout=5)
            assert (reading.grams, reading.unit, reading.net) == (1229, "lb", False)


def test_scale_over_tcp():
    with NciScale(1240, transport="tcp") as emulator:
        assert emulator.path.startswith("socket://")
        with Scale(emulator.path, "nci") as scale:
            assert scale.read(timeout=5).grams == 1240


def test_missing_port_raises_port_open_error(tmp_path):
    with pytest.raises(PortOpenError, match="cannot open port"):
        Scale(str(tmp_path / "nothing"), "nci").read(timeout=1)


def test_unknown_protocol_is_refused():
    with pytest.raises(UnknownProtocol, match="mt-sics, toledo, nci"):
        Scale("loop://", "cas")


def test_monitor_reports_readings_and_follows_an_unplug(tmp_path):
    link = tmp_path / "scale"
    readings, errors = [], []
    got_reading, got_error = threading.Event(), threading.Event()
    with ToledoScale(900, link=link) as emulator:
        scale = Scale(str(link), "toledo")

        def on_reading(reading):
            readings.append(reading)
            got_reading.set()

        def on_error(exc):
            errors.append(exc)
            got_error.set()

        with ScaleMonitor(scale, on_reading, on_error=on_error, interval=0.05, retry_interval=0.05):
            assert got_reading.wait(5)
            emulator.unplug()
            assert got_error.wait(5)
            got_reading.clear()
            emulator.set_weight(450)
            emulator.replug()
            assert got_reading.wait(5)
        scale.close()
    assert readings[0].grams == 900
    assert readings[-1].grams == 450
    assert any(isinstance(e, DeviceDisconnected) for e in errors)
