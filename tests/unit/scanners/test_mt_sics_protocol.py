import pytest

from scanners.errors import CommandRejected, FrameError
from scanners.protocols import mt_sics
from scanners.readings import OVERLOAD, UNDERLOAD


def test_commands_are_words_ended_by_cr_lf():
    assert mt_sics.STABLE_WEIGHT == b"S\r\n"
    assert mt_sics.IMMEDIATE_WEIGHT == b"SI\r\n"
    assert mt_sics.ZERO == b"Z\r\n"
    assert mt_sics.TARE == b"T\r\n"
    assert mt_sics.RESET == b"@\r\n"
    assert mt_sics.command("PWR", "1") == b"PWR 1\r\n"


def test_stable_weight_reply_gives_grams():
    reading = mt_sics.parse_weight(b"S S      100.00 g")
    assert (reading.grams, reading.stable, reading.unit, reading.error) == (100, True, "g", None)
    assert reading.raw == b"S S      100.00 g"


def test_dynamic_weight_reply_is_not_stable():
    reading = mt_sics.parse_weight(b"S D      100.02 g\r\n")
    assert reading.grams == 100
    assert reading.stable is False


def test_kilogram_and_negative_weights_convert():
    assert mt_sics.parse_weight(b"S S     1.2346 kg").grams == 1235
    assert mt_sics.parse_weight(b"S S     -12.34 g").grams == -12
    assert mt_sics.parse_weight(b"S S    2.7100 lb").grams == 1229


def test_overload_and_underload_give_error_readings():
    over = mt_sics.parse_weight(b"S +")
    under = mt_sics.parse_weight(b"S -")
    assert (over.error, over.stable) == (OVERLOAD, False)
    assert (under.error, under.stable) == (UNDERLOAD, False)


def test_not_executable_reply_is_a_rejected_command():
    with pytest.raises(CommandRejected, match="not executable"):
        mt_sics.parse_weight(b"S I")


@pytest.mark.parametrize("reply, meaning", [(b"ES", "syntax"), (b"ET", "transmission"),
                                            (b"EL", "logical")])
def test_error_replies_name_their_meaning(reply, meaning):
    with pytest.raises(CommandRejected, match=meaning):
        mt_sics.parse_weight(reply)


def test_tare_reply_carries_the_stored_tare():
    reading = mt_sics.parse_weight(b"T S      12.34 g")
    assert (reading.grams, reading.stable) == (12, True)


def test_zero_replies_split_into_command_and_status():
    assert mt_sics.parse_reply(b"Z A").status == "A"
    assert mt_sics.parse_reply(b"Z +").status == "+"


def test_serial_number_reply_keeps_the_quoted_field():
    reply = mt_sics.parse_reply(b'I4 A "B 123"')
    assert (reply.command, reply.status, reply.fields) == ("I4", "A", ('"B 123"',))


def test_stray_control_bytes_around_a_reply_are_ignored():
    assert mt_sics.parse_weight(b"\x00\xff\x13S S      55.00 g\x00").grams == 55


@pytest.mark.parametrize("line", [b"%%%", b"", b"S S abc g", b"S Q 1.0 g", b"S S 100.00 furlong"])
def test_lines_that_are_not_weights_are_frame_errors(line):
    with pytest.raises(FrameError):
        mt_sics.parse_weight(line)


def test_line_decoder_joins_partial_lines_and_skips_empty_ones():
    decoder = mt_sics.LineDecoder()
    assert decoder.feed(b"S S    ") == []
    assert decoder.feed(b"  100.00 g\r") == [b"S S      100.00 g"]
    assert decoder.feed(b"\nZ A\r\n\r\nS +\r\n") == [b"Z A", b"S +"]


def test_line_decoder_drops_an_endless_line_and_resyncs():
    decoder = mt_sics.LineDecoder()
    assert decoder.feed(b"\x55" * 1000) == []
    assert decoder.feed(b"\r\nS S      1.00 g\r\n") == [b"S S      1.00 g"]
