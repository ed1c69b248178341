"""The two waybill-number providers and how a carrier's provider is found.

`PoolProvider` hands out numbers from the carrier's pre-bought ranges inside the caller's
transaction (the default). `CainiaoProvider` asks Cainiao's cloud e-waybill service
(`cainiao.waybill.ii.get`, 电子面单取号) and returns numbers with `cainiao.waybill.ii.cancel`
(回收); it talks over the network, so packing asks it outside any database transaction and
records what it gave in the next one (see `wms.services.packing`).

A carrier is set to a provider with `set_provider` (`wms carriers set CODE --provider cainiao`);
its account (url, app key, secret, session) is a `platform` row of kind `cainiao`. A secret or
session written as `env:NAME` is read from the environment variable NAME each time it is used,
so it need not be stored in the database. No answer ever shows a secret.
"""

from __future__ import annotations

import os
from typing import Any

from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import Carrier, PlatformOrder, PlatformRow, WaybillIssue
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms.base import DOUYIN_COMPANIES, TAOBAO_COMPANIES, PlatformError
from wms.adapters.platforms.cainiao import CainiaoClient
from wms.domain.errors import Invalid, NotFound
from wms.domain.waybill_numbers import (
    PROVIDERS,
    ParcelFacts,
    WaybillNumber,
    WaybillProvider,
    WaybillUnavailable,
    split_address,
)
from wms.services.shipping import carriers

DEFAULT_ACCOUNT = "cainiao"


class PoolProvider:
    """Numbers from the carrier's pools, taken in the caller's unit of work."""

    kind = "pool"
    remote = False

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def issue(self, facts: ParcelFacts) -> WaybillNumber:
        return WaybillNumber(carriers.allocate_number(self.uow, facts.carrier, facts.order_id))

    def cancel(self, tracking_no: str) -> None:
        """Nothing to hand back: a pool's counter only grows, so a voided number is never issued
        again; the voided parcel keeps it on record."""


class CainiaoProvider:
    """Cainiao cloud e-waybill (电子面单) for one carrier, through `CainiaoClient`."""

    kind = "cainiao"
    remote = True

    def __init__(self, carrier: str, account: str, url: str, app_key: str, secret: str, session: str,
                 cp_code: str, customer_code: str | None = None, timeout: float = 8.0) -> None:
        self.carrier, self.account, self.cp_code, self.customer_code = carrier, account, cp_code, customer_code
        self._connect = (url, app_key, secret, session, timeout)

    def _client(self) -> Any:
        url, app_key, secret, session, timeout = self._connect
        return CainiaoClient(url, app_key, secret, session, timeout=timeout)

    def issue(self, facts: ParcelFacts) -> WaybillNumber:
        sender_addr = split_address(facts.sender.get("address", ""))
        r = facts.recipient
        recipient = {"name": r.get("name", ""), "mobile": r.get("phone", ""), "phone": "",
                     "address": {"province": r.get("province", ""), "city": r.get("city", ""),
                                 "district": r.get("district", ""), "detail": r.get("address", "")}}
        sender = {"name": facts.sender.get("name", ""), "mobile": "", "phone": facts.sender.get("phone", ""),
                  "address": sender_addr}
        extra = {"customer_code": self.customer_code} if self.customer_code else None
        trade = None
        if facts.trade is not None:
            channel = facts.trade.cainiao_channel
            if channel is None:
                raise WaybillUnavailable(
                    f"order {facts.order_no} is a {facts.trade.platform} order whose buyer only {facts.trade.platform} "
                    f"can print: it ships on {facts.trade.platform}'s own e-waybill, not through Cainiao "
                    f"({self.carrier}); choose that carrier for the order", "platform_waybill_needed", False)
            trade = {"channel": channel, "tid": facts.trade.tid, "oaid": facts.trade.oaid}
        client = self._client()
        try:
            got = client.get_number(self.cp_code, sender, recipient, facts.object_id, facts.order_no,
                                    [{"name": n, "count": q} for n, q in facts.items], facts.weight_g, extra,
                                    facts.package_id or None, trade)
        except PlatformError as exc:
            raise _unavailable(exc, self.carrier, "give a number") from None
        finally:
            client.close()
        return WaybillNumber(got.waybill_code, got.sort_code, got.bag_hub, got.print_data)

    def cancel(self, tracking_no: str) -> None:
        client = self._client()
        try:
            client.cancel(self.cp_code, tracking_no)
        except PlatformError as exc:
            raise _unavailable(exc, self.carrier, f"take back {tracking_no}") from None
        finally:
            client.close()


class ShopWaybillProvider:
    """A platform's own e-waybill for the shop's own orders, through the shop's account: the
    receiver is the order's cipher text as the platform sent it (nobody here can read it), the
    number comes with encrypted print data for the platform's print component."""

    kind = "platform"
    remote = True
    platform = "the platform"

    def __init__(self, carrier: str, account: Any, company_code: str, timeout: float = 8.0) -> None:
        self.carrier, self.account, self.cp_code = carrier, account.name, company_code
        self._row, self._timeout = account, timeout

    def _client(self) -> Any:
        from wms.adapters.platforms import order_source_for

        return order_source_for(self._row, self._timeout)

    def _cipher(self, facts: ParcelFacts) -> dict[str, str]:
        cipher = facts.trade.cipher if facts.trade else {}
        if not cipher.get("name") or not cipher.get("phone") or not cipher.get("address"):
            raise WaybillUnavailable(f"order {facts.order_no} holds no encrypted receiver from {self.platform}: "
                                     "pull the shop again", "not_configured", False)
        return cipher

    def issue(self, facts: ParcelFacts) -> WaybillNumber:
        cipher = self._cipher(facts)
        client = self._client()
        try:
            return self._issue(client, facts, cipher)
        except PlatformError as exc:
            raise _unavailable(exc, self.carrier, "give a number", self.platform) from None
        finally:
            client.close()

    def _issue(self, client: Any, facts: ParcelFacts, cipher: dict[str, str]) -> WaybillNumber:
        raise NotImplementedError

    def cancel(self, tracking_no: str) -> None:
        client = self._client()
        try:
            client.cancel_waybill(self.cp_code, tracking_no)
        except PlatformError as exc:
            raise _unavailable(exc, self.carrier, f"take back {tracking_no}", self.platform) from None
        finally:
            client.close()


class PinduoduoWaybillProvider(ShopWaybillProvider):
    """拼多多电子面单 (`pdd.waybill.get`)."""

    kind = "pinduoduo"
    platform = "Pinduoduo"

    def _issue(self, client: Any, facts: ParcelFacts, cipher: dict[str, str]) -> WaybillNumber:
        r = facts.recipient
        recipient = {"name": cipher["name"], "mobile": cipher["phone"], "phone": "",
                     "address": {"province": r.get("province", ""), "city": r.get("city", ""),
                                 "district": r.get("district", ""), "town": "", "detail": cipher["address"]}}
        sender = {"name": facts.sender.get("name", ""), "mobile": "", "phone": facts.sender.get("phone", ""),
                  "address": split_address(facts.sender.get("address", ""))}
        got = client.get_waybill(self.cp_code, sender, recipient, facts.object_id, facts.trade.tid,  # type: ignore[union-attr]
                                 [{"name": n, "count": q} for n, q in facts.items], facts.package_id)
        return WaybillNumber(got.waybill_code, None, None, got.print_data)


class DouyinWaybillProvider(ShopWaybillProvider):
    """抖音电子面单 (`logistics.newCreateOrder` + `logistics.waybillApply`): the carrier's 三段码
    and 集包地 come with the number; the package id (pack_id) makes a resend give the same one."""

    kind = "douyin"
    platform = "抖店"

    def _issue(self, client: Any, facts: ParcelFacts, cipher: dict[str, str]) -> WaybillNumber:
        r = facts.recipient
        sender_addr = split_address(facts.sender.get("address", ""))
        sender = {"address": {"country_code": "CHN", "province_name": sender_addr.get("province", ""),
                              "city_name": sender_addr.get("city", ""), "district_name": sender_addr.get("district", ""),
                              "detail_address": sender_addr.get("detail", "")},
                  "contact": {"name": facts.sender.get("name", ""), "mobile": facts.sender.get("phone", "")}}
        receiver = {"address": {"country_code": "CHN", "province_name": r.get("province", ""),
                                "city_name": r.get("city", ""), "district_name": r.get("district", ""),
                                "detail_address": cipher["address"]},
                    "contact": {"name": cipher["name"], "mobile": cipher["phone"]}}
        got = client.get_waybill(self.cp_code, sender, receiver, facts.trade.tid,  # type: ignore[union-attr]
                                 facts.package_id, [{"item_name": n, "item_count": q} for n, q in facts.items])
        return WaybillNumber(got.waybill_code, got.sort_code, got.bag_hub, got.print_data)


SHOP_WAYBILLS: dict[str, tuple[type[ShopWaybillProvider], dict[str, str]]] = {
    "pinduoduo": (PinduoduoWaybillProvider, TAOBAO_COMPANIES), "douyin": (DouyinWaybillProvider, DOUYIN_COMPANIES)}


def _shop_provider(carrier: str, shop: Any, timeout: float) -> ShopWaybillProvider:
    cls, companies = SHOP_WAYBILLS[shop.kind]
    return cls(carrier, shop, companies.get(carrier, carrier), timeout)


def platform_provider_for(uow: UnitOfWork, order_no: str, trade: Any, carrier: str,
                          timeout: float = 8.0) -> WaybillProvider | None:
    """A platform's own e-waybill for its masked order, whatever the carrier's usual provider:
    only the platform can put that buyer on a label (Pinduoduo's, Douyin's). None for every
    other order (Taobao's go through the carrier's Cainiao account, by OAID)."""
    if trade is None or trade.platform not in SHOP_WAYBILLS:
        return None
    row = uow.session.exec(select(PlatformRow).join(PlatformOrder, PlatformOrder.platform == PlatformRow.name)  # type: ignore[arg-type]
                           .where(PlatformOrder.order_no == order_no)).first()
    if row is None or row.kind != trade.platform:
        raise WaybillUnavailable(f"order {order_no} is a {trade.platform} order from no {trade.platform} shop on "
                                 "record: its e-waybill is taken through the shop's account", "not_configured", False)
    return _shop_provider(carrier, row, timeout)


_WORDS = {
    "no_balance": "the e-waybill account has no numbers left (余额不足): top it up with the carrier's branch",
    "invalid_address": "the recipient's address was refused (收件人地址不合法): correct it on the order",
    "bad_signature": "the signature was refused: check the Cainiao app key and secret",
    "token_expired": "the Cainiao session (授权) expired or is invalid: authorise again and set the new token",
    "rate_limited": "Cainiao's call limit was reached",
    "timeout": "Cainiao did not answer in time",
    "unreachable": "Cainiao could not be reached",
    "platform_down": "Cainiao's gateway is down",
    "not_configured": "the carrier's Cainiao account is not set up",
}


def _unavailable(exc: PlatformError, carrier: str, what: str, service: str = "Cainiao") -> WaybillUnavailable:
    words = _WORDS.get(exc.code, f"{service} refused")
    return WaybillUnavailable(f"{service} could not {what} for {carrier}: {words} ({exc.message})",
                              exc.code, exc.retryable)


def _secret(value: str | None, name: str, account: str) -> str:
    """A stored value, or the environment variable it names (`env:NAME`)."""
    if value and value.startswith("env:"):
        found = os.environ.get(value[4:], "")
        if not found:
            raise WaybillUnavailable(f"Cainiao account {account}: {name} is to come from the environment "
                                     f"variable {value[4:]}, which is not set", "not_configured", False)
        return found
    if not value:
        raise WaybillUnavailable(f"Cainiao account {account} lacks its {name}: set it with "
                                 f"wms carriers set CODE --provider cainiao --{name} ...", "not_configured", False)
    return value


def provider_for(uow: UnitOfWork, carrier: str, timeout: float = 8.0, account: str | None = None) -> WaybillProvider:
    """The carrier's provider; `account`: the one a number was taken from (a Pinduoduo shop's own
    e-waybill, to give it back)."""
    shop = uow.session.get(PlatformRow, account) if account else None
    if shop is not None and shop.kind in SHOP_WAYBILLS:
        return _shop_provider(carrier, shop, timeout)
    row = uow.session.get(Carrier, carrier)
    if row is None or (row.provider or "pool") == "pool":
        return PoolProvider(uow)
    account = uow.session.get(PlatformRow, row.provider_account or DEFAULT_ACCOUNT)
    name = row.provider_account or DEFAULT_ACCOUNT
    if account is None or account.kind != "cainiao":
        raise WaybillUnavailable(f"carrier {carrier} takes its numbers from Cainiao, but account {name} "
                                 "is not set up", "not_configured", False)
    if not account.url:
        raise WaybillUnavailable(f"Cainiao account {name} has no url", "not_configured", False)
    return CainiaoProvider(carrier, name, account.url, _secret(account.app_key, "app-key", name),
                           _secret(account.app_secret, "secret", name), _secret(account.access_token, "token", name),
                           row.provider_cp_code or TAOBAO_COMPANIES.get(carrier, carrier),
                           row.provider_customer_code, timeout)


def is_remote(uow: UnitOfWork, carrier: str) -> bool:
    """Do the carrier's numbers come from a service over the network (not a pool here)?"""
    return any(row[0] == carrier and (row[7] or "pool") != "pool" for row in prepared.carriers(uow))


def issue_for(uow: UnitOfWork, object_id: str) -> WaybillIssue | None:
    """The number a provider already gave for this request key (not cancelled), if any."""
    return uow.session.exec(select(WaybillIssue).where(WaybillIssue.object_id == object_id,
                                                       WaybillIssue.status.in_(("issued", "used")))  # type: ignore[attr-defined]
                            ).first()


def set_provider(uow: UnitOfWork, code: str, provider: str, *, account: str | None = None,
                 url: str | None = None, app_key: str | None = None, secret: str | None = None,
                 token: str | None = None, cp_code: str | None = None,
                 customer_code: str | None = None) -> Carrier:
    """Point a carrier at a number provider; for cainiao, create or change its account too."""
    row = uow.get_locked(Carrier, code.strip().upper())
    if row is None:
        raise NotFound(f"unknown carrier {code}", "unknown_carrier")
    if provider not in PROVIDERS:
        raise Invalid(f"provider: {provider!r} is not one of {', '.join(PROVIDERS)}", "invalid_provider")
    if provider == "cainiao":
        name = (account or row.provider_account or DEFAULT_ACCOUNT).strip()
        if not name or len(name) > 40:
            raise Invalid("account: 1 to 40 characters", "invalid_account")
        acct = uow.session.get(PlatformRow, name)
        if acct is None:
            acct = PlatformRow(name=name, kind="cainiao", pull_interval_s=0, upload_on="never")
        elif acct.kind != "cainiao":
            raise Invalid(f"account {name} is a {acct.kind} shop, not a Cainiao account; choose another name",
                          "kind_mismatch")
        if url is not None:
            if not url.startswith(("http://", "https://")):
                raise Invalid(f"url: {url!r} is not an http(s) address (the gateway is "
                              "https://eco.taobao.com/router/rest)", "invalid_url")
            acct.url = url
        for attr, value in (("app_key", app_key), ("app_secret", secret), ("access_token", token)):
            if value is not None:
                setattr(acct, attr, value.strip() or None)
        missing = [n for n, v in (("url", acct.url), ("app-key", acct.app_key), ("secret", acct.app_secret),
                                  ("token", acct.access_token)) if not v]
        if missing:
            raise Invalid(f"a Cainiao account needs {', '.join('--' + m for m in missing)}", "missing_credentials")
        uow.session.add(acct)
        row.provider_account = name
        if cp_code is not None:
            row.provider_cp_code = cp_code.strip().upper() or None
        if customer_code is not None:
            row.provider_customer_code = customer_code.strip() or None
    row.provider = provider
    uow.session.add(row)
    uow.session.flush()
    return row


def provider_view(uow: UnitOfWork, row: Carrier) -> dict[str, Any]:
    """The carrier's provider as answers show it: never a secret, only whether one is set."""
    out: dict[str, Any] = {"provider": row.provider or "pool"}
    if out["provider"] == "cainiao":
        acct = uow.session.get(PlatformRow, row.provider_account or DEFAULT_ACCOUNT)
        out.update({"account": row.provider_account, "cp_code": row.provider_cp_code or
                    TAOBAO_COMPANIES.get(row.code, row.code), "customer_code": row.provider_customer_code,
                    "url": acct.url if acct else None, "app_key_set": bool(acct and acct.app_key),
                    "secret_set": bool(acct and acct.app_secret), "token_set": bool(acct and acct.access_token),
                    "secret_from_env": bool(acct and (acct.app_secret or "").startswith("env:"))})
    return out
