from decimal import Decimal

import pytest

from scanners.errors import FrameError
from scanners.units import to_grams


def test_kilograms_convert_exactly_to_grams():
    assert to_grams("1.234", "kg") == 1234
    assert to_grams(Decimal("0.1"), "kg") == 100


def test_half_grams_round_to_the_even_gram():
    assert to_grams("0.5", "g") == 0
    assert to_grams("1.5", "g") == 2
    assert to_grams("2.5", "g") == 2
    assert to_grams("-2.5", "g") == -2


def test_pounds_use_the_international_pound():
    assert to_grams("1", "lb") == 454  # 453.59237 g
    assert to_grams("2.71", "lb") == 1229  # 1229.2353...
    assert to_grams("100", "lb") == 45359  # 45359.237


def test_ounces_are_a_sixteenth_of_a_pound():
    assert to_grams("16", "oz") == 454
    assert to_grams("1", "oz") == 28  # 28.349523125
    assert to_grams("10.6", "oz") == 301  # 300.50...


def test_unit_names_are_case_insensitive():
    assert to_grams("1", "KG") == 1000
    assert to_grams("1", "LB") == to_grams("1", "lbs") == 454
    assert to_grams("250", "G") == 250


def test_unknown_unit_is_a_frame_error():
    with pytest.raises(FrameError, match="furlong"):
        to_grams("1", "furlong")


def test_text_that_is_not_a_number_is_a_frame_error():
    with pytest.raises(FrameError):
        to_grams("1.2.3", "g")
