"""Waybill validation: every problem names the field a packer has to fix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from printing.sizes import check_dpi, check_format, check_size
from printing.waybill import Waybill, WaybillError
from wms.domain.orders import mask_phone


def error_for(data: dict) -> WaybillError:
    with pytest.raises(WaybillError) as caught:
        Waybill.from_dict(data)
    return caught.value


def test_the_spec_example_is_a_valid_waybill(waybill_dict):
    w = Waybill.from_dict(waybill_dict)
    assert w.tracking_no == "SF1400012345678"
    assert w.recipient.full_address == "广东省深圳市南山区科技园南区高新南七道 18 号 5 栋 1203"
    assert w.cod_amount == Decimal("0.00")
    assert (w.weight_g, w.pieces) == (1240, 1)
    assert w.items[0].qty == 2


def test_round_trips_through_to_dict(waybill):
    assert Waybill.from_dict(waybill.to_dict()) == waybill


def test_missing_recipient_is_named(waybill_dict):
    del waybill_dict["recipient"]
    assert str(error_for(waybill_dict)) == "recipient is required"


@pytest.mark.parametrize("field", ["name", "phone", "province", "city", "address"])
def test_missing_recipient_field_is_named(waybill_dict, field):
    del waybill_dict["recipient"][field]
    err = error_for(waybill_dict)
    assert err.field == f"recipient.{field}"
    assert str(err) == f"recipient.{field} is required"


def test_blank_sender_name_counts_as_missing(waybill_dict):
    waybill_dict["sender"]["name"] = "   "
    assert str(error_for(waybill_dict)) == "sender.name is required"


def test_recipient_without_district_is_allowed_for_cities_that_have_none(waybill_dict):
    waybill_dict["recipient"].update(city="东莞市", district="")
    assert Waybill.from_dict(waybill_dict).recipient.full_address.startswith("广东省东莞市科技园")


@pytest.mark.parametrize("tracking", ["SF中文123", "SF1400012345678é", "SF\x0112"])
def test_tracking_number_code128_cannot_encode_is_refused(waybill_dict, tracking):
    waybill_dict["tracking_no"] = tracking
    err = error_for(waybill_dict)
    assert err.field == "tracking_no"
    assert "Code 128" in str(err)


def test_empty_tracking_number_is_refused(waybill_dict):
    waybill_dict["tracking_no"] = ""
    assert str(error_for(waybill_dict)) == "tracking_no is required"


def test_tracking_number_too_long_for_any_label_is_refused(waybill_dict):
    waybill_dict["tracking_no"] = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKL"  # 38 letters, set B
    err = error_for(waybill_dict)
    assert err.field == "tracking_no"
    assert "too long" in str(err)


@pytest.mark.parametrize(("field", "value"), [
    ("cod_amount", "abc"), ("cod_amount", "-5"), ("cod_amount", "1.005"),
    ("weight_g", "heavy"), ("weight_g", -1), ("weight_g", 1.5), ("pieces", 0),
])
def test_bad_numbers_are_named(waybill_dict, field, value):
    waybill_dict[field] = value
    assert error_for(waybill_dict).field == field


def test_cod_amount_is_kept_as_exact_decimal(waybill_dict):
    waybill_dict["cod_amount"] = "12.5"
    assert Waybill.from_dict(waybill_dict).cod_amount == Decimal("12.50")


def test_item_without_name_is_named_by_position(waybill_dict):
    waybill_dict["items"].append({"sku": "X", "qty": 1})
    assert str(error_for(waybill_dict)) == "items[1].name is required"


def test_item_quantity_must_be_positive(waybill_dict):
    waybill_dict["items"][0]["qty"] = 0
    assert error_for(waybill_dict).field == "items[0].qty"


def test_phone_is_masked_like_carriers_do():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0571-88886666") == "057****6666"


@pytest.mark.parametrize(("check", "value", "field"), [
    (check_size, "80x120", "size"), (check_format, "bmp", "format"), (check_dpi, 600, "dpi"),
])
def test_unknown_size_format_dpi_are_named(check, value, field):
    with pytest.raises(WaybillError) as caught:
        check(value)
    assert caught.value.field == field
    assert repr(value) in str(caught.value)
