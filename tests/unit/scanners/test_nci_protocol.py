import pytest

from scanners.errors import CommandRejected, FrameError, ScaleError
from scanners.protocols import nci
from scanners.readings import OVERLOAD, UNDERLOAD


def test_commands_are_a_letter_and_cr():
    assert nci.WEIGHT == b"W\r"
    assert nci.STATUS == b"S\r"
    assert nci.ZERO == b"Z\r"


def test_weight_reply_with_kilograms():
    reading = nci.parse_weight(b"\n  1.234kg\r\nS00\r\x03")
    assert (reading.grams, reading.stable, reading.unit, reading.error) == (1234, True, "kg", None)


def test_status_without_s_prefix_and_upper_case_pounds():
    reading = nci.parse_weight(b"\n001.23LB\r\n00\r\x03")
    assert (reading.grams, reading.unit) == (558, "lb")  # 557.92 g


def test_motion_bit_makes_the_reading_unstable():
    assert nci.parse_weight(b"\n  1.234kg\r\nS10\r\x03").stable is False


def test_at_zero_bit_is_decoded():
    assert nci.parse_status(b"S20").at_zero is True
    assert nci.parse_status(b"S20").motion is False


def test_over_and_under_capacity_give_error_readings():
    assert nci.parse_weight(b"\nS02\r\x03").error == OVERLOAD
    assert nci.parse_weight(b"\nS01\r\x03").error == UNDERLOAD
    assert nci.parse_weight(b"\n^^^^^^kg\r\nS02\r\x03").error == OVERLOAD


def test_negative_weight():
    assert nci.parse_weight(b"\n -0.500lb\r\nS00\r\x03").grams == -227


def test_status_only_reply_to_w_has_no_weight():
    reading = nci.parse_weight(b"\nS10\r\x03")
    assert (reading.error, reading.stable) == (nci.NO_WEIGHT, False)


def test_ram_error_in_status_raises():
    with pytest.raises(ScaleError, match="RAM"):
        nci.parse_weight(b"\n  1.000kg\r\nS40\r\x03")  # '4' = 0x34: RAM error bit


def test_third_status_byte_reports_net_weight():
    # byte 2 'p' = 0x70: bit 6 says another byte follows; byte 3 '4' = 0x34: net
    assert nci.parse_weight(b"\n  0.500kg\r\nS0p4\r\x03").net is True


def test_unrecognised_command_reply_raises():
    with pytest.raises(CommandRejected, match="recognise"):
        nci.parse_weight(b"\n?\r\x03")


@pytest.mark.parametrize("frame", [b"\nS0\r\x03", b"\nSAB\r\x03", b"  1.0kg\r\nS00\r\x03",
                                   b"\n1.0kg\nS00\r\x03"])
def test_malformed_frames_are_frame_errors(frame):
    with pytest.raises(FrameError):
        nci.parse_frame(frame)


def test_decoder_joins_split_frames_and_skips_garbage():
    decoder = nci.FrameDecoder()
    assert decoder.feed(b"\x00\xffjunk\n  1.2") == []
    assert decoder.feed(b"34kg\r\nS00\r\x03\nS10\r\x03") == [
        b"\n  1.234kg\r\nS00\r\x03",
        b"\nS10\r\x03",
    ]


def test_decoder_resyncs_after_a_frame_cut_short():
    decoder = nci.FrameDecoder()
    frames = decoder.feed(b"\n  1.2\n  0.250kg\r\nS00\r\x03")
    assert [nci.parse_weight(f).grams for f in frames] == [250]
    assert decoder.feed(b"\n  9.9kg\r\nS00\r\x03") == [b"\n  9.9kg\r\nS00\r\x03"]
