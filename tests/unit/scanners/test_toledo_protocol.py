"""Frames are written out by hand from the status-bit tables in the module docstring:
SWA 0x2D = decimal code 5 (0.00X) + count-by-1 + fixed bit 5 ('-'), SWB 0x30 = kg ('0'),
SWC 0x20 = lb-or-kg (' ')."""

import pytest

from scanners.errors import FrameError
from scanners.protocols import toledo
from scanners.readings import OVERLOAD, UNDERLOAD

KG_1240 = b"\x02-0 001240000000\r"


def with_checksum(frame: bytes) -> bytes:
    return frame + bytes([(128 - sum(frame) % 128) % 128])


def test_stable_gross_kilogram_frame():
    reading = toledo.parse_frame(KG_1240)
    assert (reading.grams, reading.stable, reading.unit, reading.net) == (1240, True, "kg", False)


def test_motion_bit_makes_the_reading_unstable():
    assert toledo.parse_frame(b"\x02-8 001240000000\r").stable is False  # SWB 0x38


def test_sign_bit_makes_the_weight_negative():
    assert toledo.parse_frame(b"\x02-2 000150000000\r").grams == -150  # SWB 0x32


def test_net_bit_is_reported():
    assert toledo.parse_frame(b"\x02-1 001240000300\r").net is True  # SWB 0x31


def test_out_of_range_is_overload_or_underload_by_sign():
    assert toledo.parse_frame(b"\x02-4 999999000000\r").error == OVERLOAD  # SWB 0x34
    assert toledo.parse_frame(b"\x02-6 000000000000\r").error == UNDERLOAD  # SWB 0x36


def test_pounds_with_two_decimals():
    # SWA 0x2C: 0.0X; SWB 0x20: lb; 2.71 lb
    reading = toledo.parse_frame(b"\x02,  000271000000\r")
    assert (reading.grams, reading.unit) == (1229, "lb")


def test_gram_and_ounce_unit_codes():
    # SWA 0x2A: no decimals; SWC 0x21: grams / 0x23: ounces
    assert toledo.parse_frame(b"\x02* !001240000000\r").grams == 1240
    assert toledo.parse_frame(b"\x02* #000016000000\r").grams == 454


def test_decimal_point_codes_for_tens_and_hundreds():
    assert toledo.parse_frame(b"\x02) !000124000000\r").grams == 1240  # X0
    assert toledo.parse_frame(b"\x02( !000012000000\r").grams == 1200  # X00


def test_leading_zeros_may_be_spaces():
    assert toledo.parse_frame(b"\x02-0   1240     0\r").grams == 1240


def test_parity_bits_are_ignored():
    frame = bytes(b | 0x80 if i % 2 else b for i, b in enumerate(KG_1240))
    assert toledo.parse_frame(frame).grams == 1240


def test_checksum_is_verified_when_present():
    assert toledo.parse_frame(with_checksum(KG_1240)).grams == 1240
    bad = with_checksum(KG_1240)[:-1] + bytes([(with_checksum(KG_1240)[-1] + 1) % 128])
    with pytest.raises(FrameError, match="checksum"):
        toledo.parse_frame(bad)


def test_custom_units_cannot_be_converted():
    with pytest.raises(FrameError, match="custom"):
        toledo.parse_frame(b"\x02-0'001240000000\r")  # SWC 0x27


def test_decoder_skips_garbage_and_joins_split_frames():
    decoder = toledo.FrameDecoder()
    assert decoder.feed(b"\xff\x00garbage\x02\x02\x13" + KG_1240[:9]) == []
    assert decoder.feed(KG_1240[9:] + KG_1240) == [KG_1240, KG_1240]


def test_decoder_resyncs_after_a_frame_cut_short():
    decoder = toledo.FrameDecoder()
    assert decoder.feed(KG_1240[:11] + b"\x02-8 000500000000\r") == [b"\x02-8 000500000000\r"]


def test_decoder_in_auto_mode_skips_checksum_bytes():
    stream = with_checksum(KG_1240) * 3
    frames = toledo.FrameDecoder().feed(stream)
    assert frames == [KG_1240] * 3


def test_decoder_with_checksums_drops_corrupted_frames():
    good = with_checksum(KG_1240)
    corrupted = good.replace(b"1240", b"1249")
    assert toledo.FrameDecoder(checksum=True).feed(corrupted + good) == [good]
