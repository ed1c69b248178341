"""The platform emulators take the official SDKs' requests as the real gateways do: PyPI `topsdk`
(Taobao's own Python SDK: millisecond timestamps, system parameters in the query string) and
PyPI `doudian` (抖店: Chinese in `param_json` escaped as \\uXXXX, tokens from `token.create`)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

import pytest
import top
import top.api.base
from doudian.core import DouDian
from doudian.type import AppType

from emulators.base import BEIJING
from emulators.douyin import ACCESS_S, OVERLAP_S, DouyinEmulator
from emulators.taobao import TaobaoEmulator


class TradesSoldIncrementGet(top.api.base.RestApi):
    """`taobao.trades.sold.increment.get` built the way topsdk builds each of its requests."""

    def __init__(self, domain: str, port: int) -> None:
        top.api.base.RestApi.__init__(self, domain, port)
        self.fields = None
        self.start_modified = None
        self.end_modified = None
        self.page_size = None

    def getapiname(self) -> str:
        return "taobao.trades.sold.increment.get"


def topsdk_request(emu: TaobaoEmulator, secret: str | None = None) -> TradesSoldIncrementGet:
    where = urlsplit(emu.url)
    req = TradesSoldIncrementGet(where.hostname, where.port)
    req.set_app_info(top.appinfo(emu.app_key, secret or emu.secret))
    req.fields = "tid,status,modified,orders"
    req.start_modified = "2026-12-07 00:00:00"
    req.end_modified = "2026-12-07 23:59:59"
    req.page_size = 50
    return req


@pytest.fixture
def taobao():
    with TaobaoEmulator() as emu:
        yield emu


@pytest.fixture
def douyin():
    with DouyinEmulator(app_key="7000000000000000001", secret="ds") as emu:
        yield emu


def test_topsdk_pulls_trades_with_its_millisecond_timestamp(taobao):
    tid = taobao.add_trade([("MUG-WHT", 2)], modified=datetime(2026, 12, 7, 10, 0, tzinfo=BEIJING))
    answer = topsdk_request(taobao).getResponse(taobao.session)
    got = answer["trades_sold_increment_get_response"]
    assert got["total_results"] == 1
    assert [str(t["tid"]) for t in got["trades"]["trade"]] == [tid]
    path, params = taobao.calls[-1]
    assert params["timestamp"].isdigit() and len(params["timestamp"]) == 13, "topsdk sent milliseconds"


def test_topsdk_gets_the_gateways_refusals_as_top_exceptions(taobao):
    with pytest.raises(top.api.base.TopException) as bad_sign:
        topsdk_request(taobao, secret="not-the-secret").getResponse(taobao.session)
    assert bad_sign.value.errorcode == 25
    with pytest.raises(top.api.base.TopException) as bad_session:
        topsdk_request(taobao).getResponse("someone-elses-session")
    assert (bad_session.value.errorcode, bad_session.value.subcode) == (27, "invalid-sessionkey")


def sdk_for(emu: DouyinEmulator, secret: str | None = None) -> DouDian:
    """The SDK as a tool app (工具型): it takes its token with the shop's authorisation code. Only
    the gateway address is changed, from openapi-fxg.jinritemai.com to the emulator."""
    sdk = DouDian(emu.app_key, secret or emu.secret, app_type=AppType.TOOL)
    sdk._gate_way = emu.url
    return sdk


def test_doudian_takes_a_token_and_sends_chinese_that_the_gateway_accepts(douyin):
    oid = douyin.add_order([("MUG-WHT", 1)])
    sdk = sdk_for(douyin)
    assert sdk.init_token("auth-code-from-the-shop") is True
    assert douyin.token_calls == ["token.create"]
    answer = sdk.request("/order/addOrderRemark", {"order_id": oid, "remark": "送人的，不要放发票",
                                                   "is_add_star": "true", "star": 5})
    assert answer["code"] == 10000, answer
    _, params = douyin.calls[-1]
    assert "\\u9001" in params["__json__"], "the SDK escapes Chinese; the signature is over what it sent"
    assert douyin.orders[oid]["seller_words"] == "送人的，不要放发票"
    assert douyin.orders[oid]["seller_remark_stars"] == 5


def test_doudian_with_the_wrong_secret_is_refused_as_a_bad_signature(douyin):
    douyin.add_order([("MUG-WHT", 1)])
    sdk = sdk_for(douyin)
    assert sdk.init_token("auth-code") is True
    sdk._app_secret = "not-the-secret"
    answer = sdk.request("/order/searchList", {"page": 0, "size": 10, "update_time_start": 0,
                                               "update_time_end": 3600})
    assert (answer["code"], answer["sub_code"]) == (40004, "isv.signature-invalid")


def test_douyin_tokens_expire_after_seven_days_and_refresh_as_documented(douyin):
    oid = douyin.add_order([("MUG-WHT", 1)])
    sdk = sdk_for(douyin)
    sdk.init_token("auth-code")
    first = dict(sdk._token)
    search = {"page": 0, "size": 10, "update_time_start": 0, "update_time_end": 3600}
    early = sdk._request("/token/refresh", {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                         token_request=True)
    assert early["data"]["access_token"] == first["access_token"], "more than an hour left: the same pair"
    douyin.advance(ACCESS_S - OVERLAP_S / 2)  # the token's last hour
    late = sdk._request("/token/refresh", {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                        token_request=True)["data"]
    assert late["access_token"] != first["access_token"] and late["expires_in"] == ACCESS_S
    assert sdk.request("/order/searchList", search)["code"] == 10000, "the old token works for one more hour"
    douyin.advance(OVERLAP_S)
    expired = sdk.request("/order/searchList", search)
    assert (expired["code"], expired["sub_code"]) == (30002, "isv.access-token-expired")
    sdk._token = {**late, "expires_in": first["expires_in"] + 10 ** 7}  # the new token, kept as the SDK keeps one
    assert sdk.request("/order/addOrderRemark", {"order_id": oid, "remark": "新"})["code"] == 10000
    stale = sdk._request("/token/refresh", {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
                         token_request=True)
    assert (stale["code"], stale["sub_code"]) == (30003, "isv.refresh-token-invalid")
