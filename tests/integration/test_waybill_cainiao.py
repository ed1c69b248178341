"""The Cainiao e-waybill client against the local emulator: numbers, sort codes, cancel, failures."""

from __future__ import annotations

import pytest

from emulators.cainiao import CainiaoEmulator
from wms.adapters.platforms import PlatformError
from wms.adapters.platforms.cainiao import CainiaoClient

SENDER = {"name": "仓库", "mobile": "13800000000",
          "address": {"province": "浙江省", "city": "杭州市", "district": "余杭区", "detail": "仓前街道1号"}}
RECIPIENT = {"name": "王小明", "mobile": "13912345678",
             "address": {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园1号"}}


@pytest.fixture
def emu():
    with CainiaoEmulator(balance=2) as server:
        server.timeout_sleep = 1.5
        yield server


def _client(emu, secret: str = "emu-secret", timeout: float = 5.0) -> CainiaoClient:
    return CainiaoClient(emu.url + "/router/rest", "12345678", secret, "emu-session", timeout=timeout)


def _get(client: CainiaoClient, object_id: str, recipient=RECIPIENT):
    return client.get_number("ZTO", SENDER, recipient, object_id, "SO-1", [{"name": "T恤", "count": 1}], 500)


def test_number_with_sort_code_and_bag_hub_and_same_object_id_same_number(emu):
    client = _client(emu)
    first = _get(client, "P1")
    assert first.waybill_code.startswith("ZT")
    assert first.sort_code == emu.issued[first.waybill_code]["route"]
    assert first.bag_hub == "深圳市转运中心"
    assert first.place_name == emu.issued[first.waybill_code]["place"], "大头笔: sortation.name"
    assert first.sort_code != first.place_name, "三段码 comes from routingInfo.routeCode"
    again = _get(client, "P1")  # a retry after a crash: the same number, the balance untouched
    assert again.waybill_code == first.waybill_code
    assert emu.balance["ZTO"] == 1


def test_no_balance_and_invalid_address_are_refusals(emu):
    client = _client(emu)
    with pytest.raises(PlatformError) as bad_address:
        _get(client, "P9", {**RECIPIENT, "address": {"province": "", "detail": ""}})
    assert bad_address.value.code == "invalid_address" and not bad_address.value.retryable
    _get(client, "P1")
    _get(client, "P2")
    with pytest.raises(PlatformError) as empty:
        _get(client, "P3")
    assert empty.value.code == "no_balance" and "余额不足" in empty.value.message


def test_bad_signature_rate_limit_and_timeout(emu):
    with pytest.raises(PlatformError) as sig:
        _get(_client(emu, secret="wrong"), "P1")
    assert sig.value.code == "bad_signature"
    emu.fail_next("rate_limit")
    with pytest.raises(PlatformError) as limited:
        _get(_client(emu), "P1")
    assert limited.value.code == "rate_limited" and limited.value.retryable
    emu.fail_next("timeout")
    with pytest.raises(PlatformError) as slow:
        _get(_client(emu, timeout=0.5), "P1")
    assert slow.value.code == "timeout" and slow.value.retryable
    assert emu.issued == {}  # none of these took a number


def test_cancel_returns_the_number_once(emu):
    client = _client(emu)
    got = _get(client, "P1")
    assert client.cancel("ZTO", got.waybill_code) is True
    assert emu.issued[got.waybill_code]["status"] == "cancelled" and emu.balance["ZTO"] == 2
    assert client.cancel("ZTO", got.waybill_code) is True  # a repeat after a lost answer is fine
    with pytest.raises(PlatformError):
        client.cancel("ZTO", "ZT000")
