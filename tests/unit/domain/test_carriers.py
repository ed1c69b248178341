"""Carrier choice and tracking-number formats."""

import pytest

from wms.domain.carriers import (
    CarrierRule,
    PoolFormat,
    choose_carrier,
    format_tracking,
    is_valid_s10,
    s10_check_digit,
)
from wms.domain.errors import Conflict

ZTO = CarrierRule("ZTO", ("*",), ("西藏自治区", "新疆维吾尔自治区"), cod=True, max_weight_g=30000, is_default=True)
SF = CarrierRule("SF", ("*",), cod=False, max_weight_g=50000)
EMS = CarrierRule("EMS", ("*",), cod=True, is_fallback=True)


def test_the_upu_example_has_check_digit_9():
    # UPU S10 worked example: serial 47312482 -> check digit 9 (weights 8 6 4 2 3 5 9 7).
    assert s10_check_digit("47312482") == 9
    assert is_valid_s10("RR473124829GB")
    assert not is_valid_s10("RR473124828GB")


def test_an_s10_pool_prints_numbers_with_their_check_digit():
    number = format_tracking(PoolFormat("EA", "CN", 8, "s10"), 12345678)
    assert number.startswith("EA12345678") and number.endswith("CN")
    assert is_valid_s10(number)


def test_a_plain_pool_pads_to_its_digits():
    assert format_tracking(PoolFormat("SF", "", 13), 1400012345678) == "SF1400012345678"


def test_the_default_carrier_takes_what_it_reaches():
    assert choose_carrier([SF, ZTO, EMS], "广东省", cod=False, weight_g=1000) == "ZTO"


def test_an_address_the_default_cannot_reach_goes_to_the_fallback():
    assert choose_carrier([SF, ZTO, EMS], "西藏自治区", cod=False, weight_g=1000) == "EMS"


def test_a_requested_carrier_that_cannot_take_cod_is_passed_over():
    assert choose_carrier([SF, ZTO, EMS], "广东省", cod=True, weight_g=1000, requested="SF") == "ZTO"


def test_no_carrier_at_all_is_a_clear_error():
    with pytest.raises(Conflict, match="no carrier reaches"):
        choose_carrier([SF], "广东省", cod=True, weight_g=100)
