"""Weighing a packed parcel: the verdict against the order's expected weight, kept as taken;
a pass on a fully scanned parcel finishes it.

A weighing commits itself: it is kept even when a refusal follows (the parcel's number was
refused), and a remote number is taken between two transactions (the services' commit rule,
cases 1 and 2; see `finish.with_remote_number`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from wms.adapters.db import prepared
from wms.adapters.db.tables import (
    OrderRow,
    PackagingRow,
    PackSessionRow,
    Parcel,
    SkuRow,
    Weighing,
)
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.config import Settings
from wms.domain import packing as pack_rules
from wms.domain import weighing as weight_rules
from wms.domain.errors import Conflict
from wms.domain.waybill_numbers import WaybillUnavailable
from wms.services.packing.finish import (
    Finished,
    NumberRequest,
    finish_parcel,
    number_fields,
    refusal,
    weighing_answer,
    with_remote_number,
)
from wms.services.packing.session import (
    Actor,
    Contents,
    check_notes_seen,
    contents_of,
    history_of,
    lock_for_parcel,
    packaging_of,
    parcel_contents,
)
from wms.services.shipping import rate_cache

RECENT_WRONG_SCANS = timedelta(minutes=15)


def _expectation(uow: UnitOfWork, contents: Contents, session: PackSessionRow, settings: Settings
                 ) -> tuple[weight_rules.Expectation, list[tuple[weight_rules.ItemWeight, int]], dict[str, prepared.SkuWeight]]:
    ordered = contents.ordered
    skus = prepared.sku_weights(uow, set(ordered))
    lines = [(_item(skus[s]), q) for s, q in ordered.items() if s in skus]
    packaging = uow.session.get(PackagingRow, session.packaging) if session.packaging else None
    expectation = weight_rules.expect(
        lines, packaging_of(packaging) if packaging else None,
        scale_resolution_g=settings.scale_resolution_g, floor_g=settings.weight_floor_g,
    )
    return expectation, lines, skus


def _item(row: SkuRow | prepared.SkuWeight) -> weight_rules.ItemWeight:
    return weight_rules.ItemWeight(row.sku, row.name, row.unit_weight_g, row.weight_tolerance_g)


def _recent_wrong_items(uow: UnitOfWork, station: str) -> list[weight_rules.ItemWeight]:
    """Items the station scanned but the order did not want: the likeliest extras in a box."""
    skus = prepared.wrong_scans_since(uow, station, utcnow() - RECENT_WRONG_SCANS)
    return [_item(r) for r in prepared.sku_weights(uow, skus).values()]


def weigh(uow: UnitOfWork, session_id: int, grams: int, who: Actor, settings: Settings,
          scale_id: str | None = None, stable: bool = True, event_id: str | None = None) -> dict[str, Any]:
    """Judge the parcel's weight against the order; only a pass gets a tracking number."""
    def attempt(refused: WaybillUnavailable | None) -> dict[str, Any] | NumberRequest:
        session = lock_for_parcel(uow, session_id)
        done_id = prepared.weighing_for_event(uow, event_id) if event_id else None
        if done_id is not None:
            return replay_weighing(uow, session, uow.session.get(Weighing, done_id), who, settings, refused)
        return weigh_session(uow, session, grams, who, settings, scale_id, stable, event_id, refused)
    return with_remote_number(uow, attempt)


def replay_weighing(uow: UnitOfWork, session: PackSessionRow, row: Weighing, who: Actor, settings: Settings,
                    refused: WaybillUnavailable | None) -> dict[str, Any] | NumberRequest:
    """A weighing sent again: answered as before; one that passed but could not get its number
    (the provider refused or did not answer) tries to finish the parcel again."""
    if not (row.verdict == "pass" and row.tracking_no is None and row.kind == "outbound"
            and session.status == "open" and row.session_id == session.id):
        answer = weighing_answer(uow, row)
        if row.verdict == "pass" and row.tracking_no is None and session.status != "open":
            parcel = uow.session.exec(select(Parcel).where(Parcel.session_id == session.id)).first()
            if parcel is not None:  # finished later, by a resend of this weighing or another one
                answer["tracking_no"] = parcel.tracking_no
        return answer
    order = uow.get_locked(OrderRow, session.order_id)
    scanned = history_of(uow, session.id).scanned  # type: ignore[arg-type]
    contents = parcel_contents(contents_of(uow, order), session, scanned)
    if not pack_rules.PackSession(contents.ordered, scanned).complete:
        return weighing_answer(uow, row)
    expectation, lines, skus = _expectation(uow, contents, session, settings)
    answer = weighing_answer(uow, row)
    done = finish_parcel(uow, session, contents, row.grams, who, settings, expectation, lines, skus)
    if isinstance(done, NumberRequest):
        if refused is None:
            return done
        uow.rollback()
        raise refusal(refused, answer)
    uow.commit()
    answer.update(number_fields(done.number, done.label_warning), replayed=True)
    if done.next_session is not None:
        answer["next_session_id"] = done.next_session
    return answer


def weigh_session(uow: UnitOfWork, session: PackSessionRow, grams: int, who: Actor, settings: Settings,
                  scale_id: str | None, stable: bool, event_id: str | None,
                  refused: WaybillUnavailable | None = None) -> dict[str, Any] | NumberRequest:
    """`weigh` for a session already read (and locked) in this unit of work, its event id unseen.

    Every row it needs is read once and handed down: on the pass path this is the slowest
    request a station makes, and the one a packer waits on with the parcel in their hands.
    """
    if session.status != "open":
        parcel = uow.session.exec(select(Parcel).where(Parcel.session_id == session.id)).first()
        raise Conflict(f"pack session {session.id} is {session.status}"
                       + (f"; its parcel is {parcel.tracking_no}" if parcel else ""), "session_closed")
    if not stable:
        raise Conflict("the scale is still moving: wait for a stable reading", "unstable_reading")
    if scale_id is None and not prepared.station_takes_typed_weights(uow, session.station):
        raise Conflict(f"station {session.station} takes weights from its scale only: put the parcel on the "
                       "scale (a typed weight is not evidence here)", "typed_weight_forbidden")
    order = uow.get_locked(OrderRow, session.order_id)
    scanned = history_of(uow, session.id).scanned  # type: ignore[arg-type]
    contents = parcel_contents(contents_of(uow, order), session, scanned)
    check_notes_seen(uow, contents, session.id)  # type: ignore[arg-type]
    expectation, lines, skus = _expectation(uow, contents, session, settings)
    judgement = weight_rules.judge(expectation, grams, True, lines, _recent_wrong_items(uow, session.station))
    finished: Finished | None = None
    blocked: WaybillUnavailable | None = None
    complete = pack_rules.PackSession(contents.ordered, scanned).complete
    if judgement.verdict == "pass" and complete:
        done = finish_parcel(uow, session, contents, grams, who, settings, expectation, lines, skus)
        if isinstance(done, NumberRequest):
            if refused is None:
                return done  # nothing was written: the number is asked for outside this transaction
            blocked = refused  # nothing of the parcel was written: the weighing alone is kept
        else:
            finished = done
    row = Weighing(
        kind="outbound", session_id=session.id, order_id=order.id, grams=grams,
        tracking_no=finished.number.tracking_no if finished else None,
        expected_g=expectation.expected_g, tolerance_g=expectation.tolerance_g, delta_g=judgement.delta_g,
        verdict=judgement.verdict, stable=True, station=session.station, operator=who.name,
        scale_id=scale_id, event_id=event_id,
        suspects=[_suspect(s) for s in judgement.suspects],
    )
    uow.insert(row)  # kept as taken, never updated
    uow.commit()
    answer = weighing_answer(uow, row)
    if blocked is not None:
        raise refusal(blocked, answer)
    if finished is not None:
        answer.update(number_fields(finished.number, finished.label_warning))
        fee = rate_cache.estimate(uow, finished.carrier, order.province, grams) if finished.carrier else None
        answer.update(carrier=finished.carrier, freight_estimate=str(fee) if fee is not None else None)
        if finished.next_session is not None:  # 一单多包: the rest of the order goes in the next parcel
            answer.update(next_session_id=finished.next_session, parcel_items=contents.ordered)
    if judgement.verdict == "pass" and not complete:
        answer["label_blocked"] = "scan_incomplete"
        answer["message"] = "the weight matches, but not every item was scanned: scan the rest and weigh again"
    return answer


def _suspect(s: Any) -> dict[str, Any]:
    return {"sku": s.sku, "name": s.name, "qty": s.qty, "direction": s.direction, "weight_g": s.weight_g}
