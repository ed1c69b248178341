"""Gift rules (赠品策略) kept and applied: the lead sets them (`wms gifts add`, `POST
/api/gift-rules`), the order desk adds the gifts an arriving order earns as gift lines, and
the order's history says which rule gave what. Orders an ERP sends (奇门) are left as sent:
the ERP runs its own gift strategy and sends its gifts as lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import select

from wms.adapters.db.tables import GiftRuleRow
from wms.adapters.db.uow import UnitOfWork
from wms.domain import gifts as gift_rules
from wms.domain.errors import Invalid, NotFound
from wms.domain.incoming import DraftOrder, parse_time
from wms.domain.orders import parse_money
from wms.services.stock import catalog


def _rule_of(row: GiftRuleRow) -> gift_rules.GiftRule:
    return gift_rules.GiftRule(row.name, row.gift_sku, row.gift_qty, row.sku, row.min_qty, row.min_amount,
                               row.shop, row.starts_at, row.ends_at, row.repeat)


def active_rules(uow: UnitOfWork) -> list[gift_rules.GiftRule]:
    """The rules in force, oldest first: read once per order (or per chunk of a bulk intake)."""
    rows = uow.session.exec(select(GiftRuleRow).where(GiftRuleRow.active == True)  # noqa: E712
                            .order_by(GiftRuleRow.id)).all()  # type: ignore[arg-type]
    return [_rule_of(r) for r in rows]


def give(rules: list[gift_rules.GiftRule], draft: DraftOrder) -> list[str]:
    """Add the gifts `draft` earns to its lines; what was given, in words, for its history."""
    if not rules:
        return []
    v = draft.values
    earned = gift_rules.gifts_for(rules, gift_rules.OrderFacts(draft.lines, v.get("paid_amount"), v.get("shop"),
                                                                v.get("paid_at")))
    if not earned:
        return []
    draft.lines = gift_rules.add_gifts(draft.lines, [(rule.gift_sku, qty) for rule, qty in earned])
    return [f"{qty} × {rule.gift_sku} (rule {rule.name!r})" for rule, qty in earned]


def _optional(data: dict[str, Any], name: str) -> str | None:
    value = str(data.get(name) or "").strip()
    return value or None


def add_rule(uow: UnitOfWork, data: dict[str, Any], actor: str) -> GiftRuleRow:
    """A new rule, checked: its SKUs must exist (a gift nobody can pick would hold every order)."""
    try:
        min_amount = (parse_money(data["min_amount"], "min_amount")
                      if data.get("min_amount") not in (None, "") else None)
        rule = gift_rules.GiftRule(
            name=str(data.get("name") or "").strip()[:80], gift_sku=str(data.get("gift_sku") or "").strip(),
            gift_qty=int(data.get("gift_qty") or 1), sku=_optional(data, "sku"), min_qty=int(data.get("min_qty") or 1),
            min_amount=min_amount, shop=_optional(data, "shop"),
            starts_at=parse_time(data.get("starts_at"), "starts_at"), ends_at=parse_time(data.get("ends_at"), "ends_at"),
            repeat=bool(data.get("repeat", False))).check()
    except (TypeError, ValueError) as exc:
        raise Invalid(f"gift rule: {exc}", "invalid_field") from None
    wanted = {rule.gift_sku} | ({rule.sku} if rule.sku else set())
    known = set(catalog.skus_by_code(uow, wanted))
    if wanted - known:
        raise NotFound(f"unknown SKU {', '.join(sorted(wanted - known))}: add it to the catalog first", "unknown_sku")
    row = GiftRuleRow(name=rule.name, gift_sku=rule.gift_sku, gift_qty=rule.gift_qty, sku=rule.sku,
                      min_qty=rule.min_qty, min_amount=rule.min_amount, shop=rule.shop, starts_at=rule.starts_at,
                      ends_at=rule.ends_at, repeat=rule.repeat, created_by=actor)
    uow.session.add(row)
    uow.session.flush()
    return row


def stop_rule(uow: UnitOfWork, rule_id: int) -> GiftRuleRow:
    """A rule stops giving from now on; orders that got its gift keep it."""
    row = uow.session.get(GiftRuleRow, rule_id)
    if row is None:
        raise NotFound(f"no gift rule {rule_id}", "unknown_gift_rule")
    row.active = False
    uow.session.add(row)
    return row


def rule_view(row: GiftRuleRow) -> dict[str, Any]:
    def when(t: datetime | None) -> str | None:
        return t.isoformat() if t else None

    amount: Decimal | None = row.min_amount
    return {"id": row.id, "name": row.name, "gift_sku": row.gift_sku, "gift_qty": row.gift_qty, "sku": row.sku,
            "min_qty": row.min_qty, "min_amount": str(amount) if amount is not None else None, "shop": row.shop,
            "starts_at": when(row.starts_at), "ends_at": when(row.ends_at), "repeat": row.repeat,
            "active": row.active, "created_by": row.created_by}


def list_rules(uow: UnitOfWork, include_stopped: bool = False) -> list[dict[str, Any]]:
    query = select(GiftRuleRow).order_by(GiftRuleRow.id)  # type: ignore[arg-type]
    if not include_stopped:
        query = query.where(GiftRuleRow.active == True)  # noqa: E712
    return [rule_view(r) for r in uow.session.exec(query).all()]
