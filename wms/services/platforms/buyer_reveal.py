"""A platform's masked buyer shown in the clear for a declared scene, to a role whose work it is,
logged with who and why; the plaintext goes back to the asker and is never stored.

Commits (the second exception of the commit rule in `wms.services`): the request is logged and
committed before the platform is asked, so it stays on record even when the platform refuses or
the service dies; the outcome is committed when the answer comes. No transaction is open while
the platform answers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from wms.adapters.db.tables import BuyerReveal, PlatformOrder, PlatformRow
from wms.adapters.db.types import utcnow
from wms.adapters.db.uow import UnitOfWork
from wms.adapters.platforms import BuyerRevealer, PlatformError, order_source_for
from wms.domain import buyer_privacy
from wms.domain.errors import Conflict, DomainError
from wms.services.orders import records


class RevealRefused(DomainError):
    """The platform said no (quota spent, scene not granted, OAID unknown) or did not answer."""

    code = "reveal_refused"
    status = 409


def reveal(engine: Engine, order_no: str, scene: str, reason: str, actor: str, role: str) -> dict[str, Any]:
    """The order's buyer in the clear as far as `scene` allows; refusals are clear errors, and
    every request, granted or not, is in `buyer_reveal`."""
    allowed = buyer_privacy.check_reveal(role, scene, reason)
    with UnitOfWork(engine) as uow:
        order = records.get_order(uow, order_no)
        if not order.oaid:
            raise Conflict(f"order {order_no}'s recipient is held in the clear; nothing to reveal", "not_masked")
        seen = uow.session.exec(select(PlatformOrder).where(PlatformOrder.order_no == order_no)).first()
        platform = uow.session.get(PlatformRow, seen.platform) if seen else None
        if seen is None or platform is None:
            raise Conflict(f"order {order_no} came from no shop platform we pull (an ERP's order is revealed "
                           "by the ERP)", "no_platform")
        logged = BuyerReveal(order_no=order_no, platform=platform.name, scene=allowed.code, reason=reason.strip()[:300],
                             actor=actor, role=role)
        uow.session.add(logged)
        uow.commit()
        log_id, tid, oaid, shop, kind = logged.id, seen.platform_order_no, order.oaid, platform.name, platform.kind
        cipher = dict(order.buyer_cipher or {})
    outcome, fields, error = "failed", "", None
    try:
        connector = order_source_for(platform)  # the row's values stay readable after the commit
        try:
            if not isinstance(connector, BuyerRevealer):
                raise Conflict(f"{kind} shop {shop} does not reveal buyers", "reveal_unsupported")
            shown = connector.reveal_buyer(tid, oaid, allowed.code, cipher, allowed.reveals)
        finally:
            connector.close()
        wanted = {"name", "mobile", "phone", "address"}
        kept = {k: v for k, v in shown.items() if v and (k not in wanted or k in allowed.reveals)}
        outcome, fields = "shown", ",".join(k for k in ("name", "mobile", "phone", "address") if k in kept)
        return {"order_no": order_no, "scene": allowed.code, "purpose": allowed.purpose, "recipient": kept,
                "log_id": log_id, "note": "shown for this request only: not stored, do not copy it"}
    except PlatformError as exc:
        outcome, error = "refused", str(exc)[:500]
        raise RevealRefused(f"{shop} did not reveal the buyer of {order_no}: {exc.message}") from None
    except DomainError as exc:
        error = exc.message[:500]
        raise
    finally:
        with UnitOfWork(engine) as uow:
            row = uow.session.get(BuyerReveal, log_id)
            if row is not None:
                row.outcome, row.fields, row.error, row.answered_at = outcome, fields, error, utcnow()
                uow.session.add(row)
                uow.commit()


def reveal_log(uow: UnitOfWork, order_no: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Who asked to see which buyer, for which scene and why, newest first."""
    stmt = select(BuyerReveal).order_by(BuyerReveal.id.desc())  # type: ignore[union-attr]
    if order_no:
        stmt = stmt.where(BuyerReveal.order_no == order_no)
    return [{"id": r.id, "order_no": r.order_no, "platform": r.platform, "scene": r.scene, "reason": r.reason,
             "actor": r.actor, "role": r.role, "outcome": r.outcome, "fields": r.fields.split(",") if r.fields else [],
             "error": r.error, "at": r.created_at.isoformat()} for r in uow.session.exec(stmt.limit(limit)).all()]
