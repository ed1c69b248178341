"""Finishing a parcel: stock taken, a tracking number, the order packed, the waybill queued,
in one transaction; a supervisor's override finishes one despite its weight.

A number from a remote provider (Cainiao) is a step of its own: the first pass returns a
`NumberRequest` having written nothing, the provider is asked with no transaction open, the
number is recorded, and the pass runs again and finds it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import (
    OrderRow,
    Override,
    PackSessionRow,
    Parcel,
    WaybillIssue,
    Weighing,
)
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings
from wms.domain import orders as order_rules
from wms.domain import weighing as weight_rules
from wms.domain.errors import Conflict
from wms.domain.waybill_numbers import (
    ParcelFacts,
    PlatformTrade,
    WaybillNumber,
    WaybillProvider,
    WaybillUnavailable,
    object_id,
    package_id,
)
from wms.services.labels import print_queue, waybills
from wms.services.orders import records
from wms.services.packing.learning import learn_from_parcel
from wms.services.packing.session import (
    Actor,
    Contents,
    contents_of,
    history_of,
    lock_for_parcel,
    open_session,
    parcel_contents,
)
from wms.services.shipping import carriers, waybill_numbers
from wms.services.stock import ledger


@dataclass(frozen=True)
class NumberRequest:
    """What the first phase of a parcel answers when its carrier's numbers come from a remote
    provider (Cainiao) and none was given for this parcel yet: nothing of the parcel was
    written, and this is the request to send. Its key (`facts.object_id`: order + pack session)
    makes a second asking, after a crash or a lost answer, get the same number."""

    carrier: str
    facts: ParcelFacts
    provider: WaybillProvider | None
    refused: WaybillUnavailable | None = None  # the provider could not even be set up


@dataclass(frozen=True)
class Finished:
    """A parcel finished: its number, and what its label cannot print as written."""

    number: WaybillNumber
    label_warning: str | None
    next_session: int | None = None  # 一单多包: the session opened for the rest of the order
    carrier: str | None = None


Step = Callable[[WaybillUnavailable | None], "dict[str, Any] | NumberRequest"]


def with_remote_number(uow: UnitOfWork, step: Step) -> dict[str, Any]:
    """A use case that may finish a parcel, in explicit phases around the network:

    1. `step(None)` runs in one transaction. A parcel numbered from a pool, or whose remote
       number is on record already, finishes there. One that needs a remote number gets back
       a `NumberRequest`, having written nothing.
    2. That transaction is rolled back (no lock is held while the provider answers), the
       provider is asked, and its number is committed at once (`ask_provider`).
    3. `step(None)` runs again, finds the number and finishes the parcel. After a refusal,
       `step(refusal)` keeps what must not be lost (the weighing) and raises the refusal as a
       409 `waybill_unavailable`.

    The API's weighing, an override and the station agent's weight events all go through here."""
    refused: WaybillUnavailable | None = None
    for _ in range(3):
        result = step(refused)
        if not isinstance(result, NumberRequest):
            return result
        uow.rollback()
        refused = result.refused or ask_provider(uow, result)
    raise Conflict("the parcel's carrier changed while its number was being taken; weigh again", "waybill_busy")


def ask_provider(uow: UnitOfWork, request: NumberRequest) -> WaybillUnavailable | None:
    """Phase two, with no transaction open: the provider's number for the request, recorded and
    committed before anything else happens (whatever comes next, it is on record); or the
    provider's refusal."""
    assert request.provider is not None
    try:
        number = request.provider.issue(request.facts)
    except WaybillUnavailable as refused:
        return refused
    _record_issue(uow, request.carrier, request.facts, number, request.provider)
    return None


def _record_issue(uow: UnitOfWork, carrier: str, facts: ParcelFacts, number: WaybillNumber,
                  provider: WaybillProvider | None) -> None:
    """Keep a number a provider gave, at once: whatever happens next, it is on record."""
    if uow.session.get(WaybillIssue, number.tracking_no) is None:
        session_id = int(facts.object_id.rsplit("-S", 1)[1])
        uow.insert(WaybillIssue(tracking_no=number.tracking_no, carrier=carrier,
                                account=getattr(provider, "account", "") or "", order_no=facts.order_no,
                                sort_code=number.sort_code, bag_hub=number.bag_hub,
                                print_data=number.print_data, object_id=facts.object_id,
                                cp_code=getattr(provider, "cp_code", None), session_id=session_id))
    uow.commit()


def refusal(refused: WaybillUnavailable, answer: dict[str, Any]) -> WaybillUnavailable:
    """The 409 a packer gets: the provider's reason, and the weighing as it was recorded."""
    weighing = {k: v for k, v in answer.items() if k not in ("message", "error")}
    return WaybillUnavailable(
        f"{refused.message}. The weighing is kept; the parcel gets its number when it is weighed again.",
        refused.provider_code, refused.retryable, **weighing)


def number_fields(number: WaybillNumber, label_warning: str | None = None) -> dict[str, Any]:
    """The parcel's number for the answer, and what its label cannot print as written (the
    packer sees it at once: "recipient.name: no font draws 😀; printed as 〓")."""
    fields = {"tracking_no": number.tracking_no, "sort_code": number.sort_code, "bag_hub": number.bag_hub}
    if label_warning:
        fields["label_warning"] = label_warning
    return fields


def weighing_answer(uow: UnitOfWork, row: Weighing) -> dict[str, Any]:
    explanation = "; ".join(
        f"{s['direction']} {s['qty']} × {s['name']} (≈{s['weight_g']} g)" for s in row.suspects
    )
    return {
        "weighing_id": row.id, "verdict": row.verdict, "grams": row.grams, "expected_g": row.expected_g,
        "tolerance_g": row.tolerance_g, "delta_g": row.delta_g, "suspects": row.suspects,
        "explanation": explanation, "tracking_no": row.tracking_no, "session_id": row.session_id,
        "typed": row.scale_id is None,  # no scale named it: typed by a person (手输)
    }


def finish_parcel(uow: UnitOfWork, session: PackSessionRow, contents: Contents, grams: int, who: Actor,
                   settings: Settings, expectation: weight_rules.Expectation | None = None,
                   lines: list[tuple[weight_rules.ItemWeight, int]] | None = None,
                   skus: dict[str, prepared.SkuWeight] | None = None,
                   learn: bool = True) -> Finished | NumberRequest:
    """Take the stock, number the parcel, queue its waybill: all in one transaction.

    A number from a remote provider must have been given before (see `with_remote_number`):
    without one this returns the `NumberRequest` before anything is written."""
    order = contents.order
    carrier = carriers.pick_carrier(uow, order, grams)
    if skus is None:
        skus = prepared.sku_weights(uow, {line.sku for line in contents.lines})
    number = _number_for(uow, session, contents, carrier, grams, settings, skus)
    if isinstance(number, NumberRequest):
        return number
    tracking_no = number.tracking_no
    parcel = Parcel(tracking_no=tracking_no, order_id=order.id, session_id=session.id, carrier=carrier,  # type: ignore[arg-type]
                    packaging=session.packaging, weight_g=grams, items=contents.ordered)
    uow.insert(parcel)
    next_session = None
    if contents.final:
        for member in contents.members:
            ledger.pick_reserved(uow, member, who.name)
        for member in contents.members:
            prepared.mark_lines_packed(uow, member.id)  # type: ignore[arg-type]
        for member in contents.members:
            records.transition(uow, member, order_rules.PACKED, who.name, f"parcel {tracking_no}", carrier=carrier)
        uow.update(session, status="passed", closed_at=utcnow())
    else:
        next_session = _pack_part(uow, session, contents, tracking_no, who)
    sealed = waybills.platform_label(order, parcel, contents.lines, skus, settings, number)
    if sealed is not None:  # only the platform's print component at the station can print it
        job = print_queue.enqueue(uow, print_queue.component_queue(session.station), sealed, parcel.id, who.name)
    else:
        part = _part_of(uow, parcel) if contents.split else None
        waybill = waybills.build_waybill(order, parcel, contents.lines, skus, session.station, settings, number, part)
        job = print_queue.enqueue(uow, print_queue.printer_for_station(uow, session.station), waybill, parcel.id,
                                  who.name)
    if learn and expectation is not None and lines is not None:
        learn_from_parcel(uow, lines, expectation, grams)
    return Finished(number, job.warning, next_session, carrier)


def _part_of(uow: UnitOfWork, parcel: Parcel) -> int:
    """Which parcel of its order this is (一单多包): 1 + the order's earlier parcels not voided."""
    return 1 + len(uow.session.exec(select(Parcel.id).where(
        Parcel.order_id == parcel.order_id, Parcel.id != parcel.id, Parcel.status != "voided")).all())


def _pack_part(uow: UnitOfWork, session: PackSessionRow, contents: Contents, tracking_no: str, who: Actor) -> int:
    """A parcel holding part of the order (一单多包): its units leave their bins and count as
    packed, the order stays open for the rest, and the next parcel's session opens at the
    same station. Returns its id."""
    by_order: dict[int, dict[str, int]] = {}
    for line in contents.lines:
        if not prepared.add_packed(uow, line.id, line.qty):  # type: ignore[arg-type]
            raise Conflict(f"{line.sku}: the order has fewer units left to pack than this parcel holds; "
                           "open the order again", "lines_changed")
        units = by_order.setdefault(line.order_id, {})
        units[line.sku] = units.get(line.sku, 0) + line.qty
    for member in contents.members:
        if member.id in by_order:
            ledger.pick_units(uow, member, by_order[member.id], who.name)
    uow.update(session, status="passed", closed_at=utcnow())
    said = ", ".join(f"{n} × {sku}" for sku, n in contents.ordered.items())
    records.add_note(uow, contents.order, who.name, f"parcel {tracking_no} holds {said}; the rest follows "
                     "in another parcel (一单多包)")
    following, _ = open_session(uow, contents.order.order_no, session.station, who, found=contents.order)
    return following.id  # type: ignore[return-value]


def _number_for(uow: UnitOfWork, session: PackSessionRow, contents: Contents, carrier: str, grams: int,
                settings: Settings, skus: dict[str, prepared.SkuWeight]) -> WaybillNumber | NumberRequest:
    """The parcel's number: the one the sender took already (an ERP's, for this carrier, unless a
    voided parcel has it), from the pool here and now, or the one a remote provider gave for this
    parcel's request key (marked used in this transaction), or `NumberRequest`."""
    order = contents.order
    if order.waybill_no and order.carrier == carrier and uow.session.exec(
            select(Parcel.id).where(Parcel.tracking_no == order.waybill_no)).first() is None:
        return WaybillNumber(order.waybill_no)
    trade = PlatformTrade(order.channel, order.trade_no or order.order_no, order.oaid, dict(order.buyer_cipher or {})) \
        if order.oaid else None
    try:
        own = waybill_numbers.platform_provider_for(uow, order.order_no, trade, carrier, settings.waybill_timeout_s)
    except WaybillUnavailable as exc:
        own, refused = None, exc
    else:
        refused = None
    if own is None and refused is None and not waybill_numbers.is_remote(uow, carrier):
        return waybill_numbers.PoolProvider(uow).issue(ParcelFacts(
            carrier, "", order.id, order.order_no, {}, {}, (), grams))  # type: ignore[arg-type]
    key = object_id(order.order_no, session.id)  # type: ignore[arg-type]
    issued = waybill_numbers.issue_for(uow, key)
    if issued is not None and issued.carrier == carrier:
        if issued.status != "used":
            uow.update(issued, status="used")
        return WaybillNumber(issued.tracking_no, issued.sort_code, issued.bag_hub, issued.print_data)
    facts = ParcelFacts(
        carrier, key, order.id, order.order_no,  # type: ignore[arg-type]
        {"name": settings.sender_name, "phone": settings.sender_phone, "address": settings.sender_address},
        {"name": order.recipient_name, "phone": order.recipient_phone, "province": order.province,
         "city": order.city, "district": order.district, "address": order.address},
        tuple((skus[line.sku].name if line.sku in skus else line.sku, line.qty) for line in contents.lines),
        grams, package_id(order.id, session.id), trade)  # type: ignore[arg-type]
    if refused is not None:
        return NumberRequest(carrier, facts, None, refused)
    try:
        provider = own or waybill_numbers.provider_for(uow, carrier, settings.waybill_timeout_s)
    except WaybillUnavailable as exc:
        return NumberRequest(carrier, facts, None, exc)
    return NumberRequest(carrier, facts, provider)


def override(uow: UnitOfWork, session_id: int, reason: str, who: Actor, settings: Settings) -> dict[str, Any]:
    """A supervisor ships a parcel despite a weight mismatch; who and why go on record."""
    return with_remote_number(uow, lambda refused: _override(uow, session_id, reason, who, settings, refused))


def _override(uow: UnitOfWork, session_id: int, reason: str, who: Actor, settings: Settings,
              refused: WaybillUnavailable | None) -> dict[str, Any] | NumberRequest:
    session = lock_for_parcel(uow, session_id)
    if session.status != "open":
        raise Conflict(f"pack session {session_id} is {session.status}", "session_closed")
    last = uow.session.exec(
        select(Weighing).where(Weighing.session_id == session.id).order_by(Weighing.id.desc())  # type: ignore[union-attr]
    ).first()
    if last is None:
        raise Conflict("weigh the parcel first: there is nothing to override", "no_weighing")
    order = uow.get_locked(OrderRow, session.order_id)
    scanned = history_of(uow, session.id).scanned  # type: ignore[arg-type]
    contents = parcel_contents(contents_of(uow, order), session, scanned)
    if not all(scanned.get(sku, 0) >= n for sku, n in contents.ordered.items()):
        raise Conflict("not every item is scanned; an override covers the weight, not missing scans",
                       "scan_incomplete")
    done = finish_parcel(uow, session, contents, last.grams, who, settings, learn=False)
    if isinstance(done, NumberRequest):
        if refused is None:
            return done
        uow.rollback()
        raise WaybillUnavailable(f"{refused.message}. Nothing was overridden yet; send the override again "
                                 "once the carrier's account can give numbers.", refused.provider_code,
                                 refused.retryable)
    number, warning = done.number, done.label_warning
    tracking_no = number.tracking_no
    session.status = "overridden"
    uow.session.add(session)
    uow.session.add(Override(session_id=session.id, weighing_id=last.id, by=who.name, role=who.role,  # type: ignore[arg-type]
                             reason=reason))
    uow.commit()
    answer = weighing_answer(uow, last)
    answer.update({"tracking_no": tracking_no, "overridden": True, "override_by": who.name,
                   "override_reason": reason, **number_fields(number, warning)})
    if done.next_session is not None:
        answer["next_session_id"] = done.next_session
    return answer
