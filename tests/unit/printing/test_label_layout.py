"""The layout per size: everything the contract asks for is on the label, and text fits."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import PRINTED_AT

from printing.fonts import text_width, vertical_metrics
from printing.layout import (
    LINE_SPACING,
    QR,
    Barcode,
    Rect,
    Text,
    build_layout,
    fit_text,
)
from printing.sizes import SIZES
from printing.waybill import Waybill, WaybillError

LONG_ADDRESS = ("西湖区文三路与教工路交叉口东北角黄龙时代广场B座十七楼1708室"
                "（请从北门进入，电梯到十七楼后右转，前台签收；如无人请放丰巢快递柜） "
                "Building B, Room 1708, Huanglong Times Plaza, Wensan Road No.478 ") * 2


def all_text(layout) -> str:
    return "\n".join("".join(t.lines) for t in layout.texts())


@pytest.mark.parametrize("size", list(SIZES))
def test_label_carries_what_the_contract_requires(waybill_dict, size):
    waybill_dict["cod_amount"] = "35.00"
    layout = build_layout(Waybill.from_dict(waybill_dict), size, 203, PRINTED_AT)
    text = all_text(layout)
    for expected in ["SF", "571-WH01-A12", "SF1400012345678", "张三", "138****5678",
                     "标准快递", "丝施品牌店", "代收货款 ¥35.00", "重量 1.24kg", "件数 1",
                     "订单号 TB20261122000123", "纯棉T恤 蓝色 L ×2", "2026-11-22 14:03"]:
        assert expected in text, expected
    assert "13812345678" not in text  # the phone is masked
    address = "".join(layout.find("recipient.address").lines).replace(" ", "")
    assert address == "广东省深圳市南山区科技园南区高新南七道18号5栋1203"
    assert layout.find("sort_code").size >= 6  # large type
    assert any(isinstance(e, QR) and e.data == "SF1400012345678" for e in layout.elements)


def test_cod_line_is_left_off_when_there_is_nothing_to_collect(waybill):
    assert "代收货款" not in all_text(build_layout(waybill, "100x150", 203, PRINTED_AT))


@pytest.mark.parametrize(("size", "barcodes"), [("100x150", 2), ("100x180", 2), ("76x130", 1)])
def test_sizes_with_a_stub_repeat_the_barcode_with_its_text(waybill, size, barcodes):
    layout = build_layout(waybill, size, 203, PRINTED_AT)
    codes = [e for e in layout.elements if isinstance(e, Barcode)]
    assert len(codes) == barcodes
    assert all(c.data == "SF1400012345678" and c.text.lines == ("SF1400012345678",)
               for c in codes)


@pytest.mark.parametrize("size", list(SIZES))
def test_every_element_lies_inside_the_label(waybill, size):
    layout = build_layout(waybill, size, 300, PRINTED_AT)
    for el in layout.elements:
        rect = el.rect if hasattr(el, "rect") else Rect(el.x1, el.y1, el.x2 - el.x1,
                                                         el.y2 - el.y1)
        assert 0 <= rect.x and rect.right <= layout.width + 1e-9, el
        assert 0 <= rect.y and rect.bottom <= layout.height + 1e-9, el


def assert_fits(text: Text) -> None:
    ascent, descent = vertical_metrics()
    for line in text.lines:
        assert text_width(line, text.size) <= text.rect.w + 1e-6
    used = (len(text.lines) - 1) * text.size * LINE_SPACING + (ascent + descent) * text.size
    assert used <= text.rect.h + 1e-6


@pytest.mark.parametrize("size", list(SIZES))
def test_long_address_wraps_and_shrinks_but_is_never_cut(waybill_dict, size):
    waybill_dict["recipient"]["address"] = LONG_ADDRESS
    waybill = Waybill.from_dict(waybill_dict)
    layout = build_layout(waybill, size, 203, PRINTED_AT)
    fitted = layout.find("recipient.address")
    squeeze = lambda s: "".join(s.split())  # noqa: E731  (wrapping only drops spaces)
    assert squeeze("".join(fitted.lines)) == squeeze(waybill.recipient.full_address)
    assert len(fitted.lines) > 3
    assert fitted.size < 3.0  # it had to shrink
    assert_fits(fitted)
    for text in layout.texts():
        assert_fits(text)


def test_latin_words_are_not_broken_across_lines():
    _, lines = fit_text("Room 1708 Huanglong Times Plaza Wensan Road", Rect(0, 0, 20, 30), 3, 3,
                        True, "x")
    assert all(len(line.split()) >= 1 for line in lines)
    assert " ".join(lines).split() == "Room 1708 Huanglong Times Plaza Wensan Road".split()


def test_address_that_cannot_fit_even_in_small_type_is_refused_by_name(waybill_dict):
    waybill_dict["recipient"]["address"] = LONG_ADDRESS * 4
    with pytest.raises(WaybillError) as caught:
        build_layout(Waybill.from_dict(waybill_dict), "76x130", 203, PRINTED_AT)
    assert caught.value.field == "recipient.address"


def test_tracking_number_that_fits_wide_labels_is_refused_on_the_narrow_one(waybill):
    long_one = dataclasses.replace(waybill, tracking_no="ABCDEFGHIJKLMNOPQRSTUVW")
    build_layout(long_one, "100x150", 203, PRINTED_AT)
    with pytest.raises(WaybillError) as caught:
        build_layout(long_one, "76x130", 203, PRINTED_AT)
    assert caught.value.field == "tracking_no"
    assert "76x130" in str(caught.value)


def test_closing_punctuation_never_starts_a_line():
    text = "请从北门进入，电梯到十七楼后右转，前台签收；如无人请放丰巢快递柜）。" * 3
    for width in (20, 23, 27, 31):
        _, lines = fit_text(text, Rect(0, 0, width, 200), 3, 3, True, "x")
        assert "".join(lines) == text
        assert not any(line[0] in "，。；）" for line in lines)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_remark_or_item_list_too_long_for_its_box_is_shortened_with_an_ellipsis(waybill_dict, size):
    waybill_dict["remark"] = "易碎品请轻放，" * 80
    waybill_dict["items"] = [{"sku": f"S{i}", "name": f"保温杯 500ml 第{i}款", "qty": 1} for i in range(200)]
    layout = build_layout(Waybill.from_dict(waybill_dict), size, 203, PRINTED_AT)
    remark = next(t for t in layout.texts() if t.field == "remark")
    items = next(t for t in layout.texts() if t.field == "items")
    for fitted in (remark, items):
        assert "".join(fitted.lines).endswith("…")
        assert all(text_width(line, fitted.size) <= fitted.rect.w + 1e-6 for line in fitted.lines)
    assert "".join(remark.lines).startswith("备注: 易碎品请轻放")


def test_order_review_can_tell_a_recipient_no_label_can_hold():
    from printing.layout import recipient_print_problems
    from wms.domain.orders import Recipient

    ordinary = Recipient("欧阳娜娜", "13812345678", "浙江省", "杭州市", "西湖区", LONG_ADDRESS[:60])
    assert recipient_print_problems(ordinary) == []
    long_name = dataclasses.replace(ordinary, name="张" * 60)
    assert recipient_print_problems(long_name) == [
        "the recipient's name is too long to print on a 100x150 label; shorten it"]
    long_address = dataclasses.replace(ordinary, address=LONG_ADDRESS * 4)
    assert recipient_print_problems(long_address, "76x130") == [
        "the recipient's address is too long to print on a 76x130 label; shorten it"]
    # What review lets through always builds a label.
    for recipient in (ordinary, dataclasses.replace(ordinary, name="张" * 26)):
        if not recipient_print_problems(recipient):
            data = {"tracking_no": "SF1400012345678", "carrier": "SF", "sort_code": "571-WH01-A12",
                    "order_no": "T1", "weight_g": 100, "sender": {"name": "店", "phone": "1", "address": "杭州"},
                    "recipient": dataclasses.asdict(recipient)}
            build_layout(Waybill.from_dict(data), "100x150", 203, PRINTED_AT)
