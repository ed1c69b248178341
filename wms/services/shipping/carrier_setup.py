"""Carriers' set-up: each carrier with its regions and limits, loaded from a file or saved one
at a time, and its tracking-number pools (adding a range, how full each is, whose a number is)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import select

from wms.adapters.db.tables import Carrier, TrackingNumber, TrackingPool
from wms.adapters.db.uow import UnitOfWork
from wms.domain.carriers import PoolFormat, format_tracking, is_valid_s10, s10_check_digit
from wms.domain.errors import Conflict, Invalid, NotFound
from wms.services.shipping import carriers as shipping

SCHEMES = ("plain", "s10")


def get_carrier(uow: UnitOfWork, code: str) -> Carrier:
    row = uow.session.get(Carrier, code.strip().upper())
    if row is None:
        raise NotFound(f"unknown carrier {code}", "unknown_carrier")
    return row


def carrier_view(c: Carrier) -> dict[str, Any]:
    return {"code": c.code, "name": c.name, "regions": list(c.regions),
            "excluded_regions": list(c.excluded_regions), "cod": c.cod, "max_weight_g": c.max_weight_g,
            "default": c.is_default, "fallback": c.is_fallback, "provider": c.provider or "pool",
            "provider_account": c.provider_account if (c.provider or "pool") != "pool" else None}


def list_carriers(uow: UnitOfWork) -> list[Carrier]:
    return list(uow.session.exec(select(Carrier).order_by(Carrier.code)).all())


def save_carrier(uow: UnitOfWork, data: dict[str, Any]) -> tuple[Carrier, bool]:
    """Create a carrier, or change the given fields of an existing one; returns (carrier, created).

    At most one carrier is the default: making one the default clears the old one, so
    orders that ask for nothing always go one predictable way.
    """
    code = str(data.get("code") or "").strip().upper()
    if not code or len(code) > 20 or not code.replace("-", "").replace("_", "").isalnum():
        raise Invalid("code: 1-20 letters or digits, e.g. SF", "invalid_carrier")
    name = str(data.get("name") or "").strip()
    row = uow.get_locked(Carrier, code)
    created = row is None
    if created:
        if not name:
            raise Invalid("name: a new carrier needs a name", "invalid_carrier")
        row = Carrier(code=code, name=name, regions=["*"], excluded_regions=[])
    if name:
        row.name = name
    if "regions" in data:
        row.regions = _regions(data["regions"], "regions") or ["*"]
    if "excluded_regions" in data:
        row.excluded_regions = _regions(data["excluded_regions"], "excluded_regions")
    if "max_weight_g" in data:
        max_weight_g = int(data["max_weight_g"] or 0)
        if max_weight_g < 0:
            raise Invalid("max_weight_g: cannot be negative (0 means no limit)", "invalid_carrier")
        row.max_weight_g = max_weight_g
    for field, attr in (("cod", "cod"), ("default", "is_default"), ("fallback", "is_fallback")):
        if field in data:
            setattr(row, attr, bool(data[field]))
    uow.session.add(row)
    uow.session.flush()
    if row.is_default:
        uow.session.execute(update(Carrier).where(Carrier.code != code, Carrier.is_default.is_(True))  # type: ignore[attr-defined]
                            .values(is_default=False))
        uow.session.flush()
    return row, created


def _regions(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{field}: a list of province names, or [\"*\"] for everywhere", "invalid_carrier")
    return [v.strip() for v in value if v.strip()]


def load_carriers(uow: UnitOfWork, data: Any) -> dict[str, int]:
    """Load a carriers file (fixtures/carriers.json format); running it twice adds nothing."""
    if not isinstance(data, list) or not all(isinstance(c, dict) for c in data):
        raise Invalid("a carriers file is a JSON list of carrier objects", "bad_file")
    counts = {"created": 0, "updated": 0, "pools_added": 0, "pools_present": 0}
    for c in data:
        _, created = save_carrier(uow, c)
        counts["created" if created else "updated"] += 1
        for p in c.get("tracking_pools", []):
            if _same_pool_exists(uow, c["code"].strip().upper(), p):
                counts["pools_present"] += 1
                continue
            add_pool(uow, c["code"], p.get("prefix", ""), p.get("suffix", ""), p.get("digits"),
                     int(p["start"]), int(p["end"]), p.get("scheme", "plain"))
            counts["pools_added"] += 1
    return counts


def _same_pool_exists(uow: UnitOfWork, carrier: str, p: dict[str, Any]) -> bool:
    return uow.session.exec(select(TrackingPool.id).where(
        TrackingPool.carrier == carrier, TrackingPool.prefix == p.get("prefix", ""),
        TrackingPool.suffix == p.get("suffix", ""), TrackingPool.scheme == p.get("scheme", "plain"),
        TrackingPool.start == int(p["start"]), TrackingPool.end == int(p["end"]))).first() is not None


def add_pool(uow: UnitOfWork, carrier: str, prefix: str, suffix: str, digits: int | None, start: int,
             end: int, scheme: str = "plain") -> TrackingPool:
    """Add a purchased range after checking its format and that it overlaps no other range.

    Two ranges of one carrier and prefix must not overlap, nor may any two ranges that
    would print the same numbers: a number must never be handed out twice.
    """
    row = uow.get_locked(Carrier, carrier.strip().upper())  # serialises pool changes per carrier
    if row is None:
        raise NotFound(f"unknown carrier {carrier}", "unknown_carrier")
    prefix, suffix, scheme = (prefix or "").strip().upper(), (suffix or "").strip().upper(), (scheme or "plain").strip()
    if scheme not in SCHEMES:
        raise Invalid(f"scheme: {scheme!r} is not plain or s10", "invalid_pool")
    if scheme == "s10":
        if digits not in (None, 8):
            raise Invalid("digits: an S10 serial always has 8 digits", "invalid_pool")
        if not (len(prefix) == 2 and prefix.isalpha() and prefix.isascii()):
            raise Invalid("prefix: an S10 number starts with two letters, e.g. EA", "invalid_pool")
        if not (len(suffix) == 2 and suffix.isalpha() and suffix.isascii()):
            raise Invalid("suffix: an S10 number ends with a two-letter country code, e.g. CN", "invalid_pool")
        digits = 8
    else:
        digits = 12 if digits is None else digits
        if not 1 <= digits <= 18:
            raise Invalid("digits: between 1 and 18", "invalid_pool")
        for name, part in (("prefix", prefix), ("suffix", suffix)):
            if len(part) > 10 or (part and not (part.isalnum() and part.isascii())):
                raise Invalid(f"{name}: up to 10 letters or digits", "invalid_pool")
    if start < 0 or end < start:
        raise Invalid("a pool needs 0 <= start <= end", "invalid_pool")
    if end >= 10 ** digits:
        raise Invalid(f"end: {end} has more than {digits} digits", "invalid_pool")
    clash = _overlapping_pool(uow, row.code, prefix, suffix, digits, scheme, start, end)
    if clash is not None:
        fmt = PoolFormat(clash.prefix, clash.suffix, clash.digits, clash.scheme)
        raise Conflict(
            f"the range overlaps pool {clash.id} of {clash.carrier} "
            f"({format_tracking(fmt, clash.start)}..{format_tracking(fmt, clash.end)})", "pool_overlap")
    return shipping.add_pool(uow, row.code, prefix, suffix, digits, start, end, scheme)


def _overlapping_pool(uow: UnitOfWork, carrier: str, prefix: str, suffix: str, digits: int, scheme: str,
                      start: int, end: int) -> TrackingPool | None:
    same_carrier = (TrackingPool.carrier == carrier) & (TrackingPool.prefix == prefix)
    same_numbers = ((TrackingPool.prefix == prefix) & (TrackingPool.suffix == suffix)
                    & (TrackingPool.scheme == scheme) & (TrackingPool.digits == digits))
    return uow.session.exec(
        select(TrackingPool).where(same_carrier | same_numbers, TrackingPool.start <= end,
                                   TrackingPool.end >= start).order_by(TrackingPool.id)  # type: ignore[arg-type]
    ).first()


def pool_status(uow: UnitOfWork, low_water: int) -> dict[str, Any]:
    """Numbers left per pool and per carrier, with a warning for each carrier running low."""
    pools = uow.session.exec(select(TrackingPool).order_by(TrackingPool.carrier, TrackingPool.id)).all()  # type: ignore[arg-type]
    per_pool = []
    left: dict[str, int] = {}
    for p in pools:
        fmt = PoolFormat(p.prefix, p.suffix, p.digits, p.scheme)
        remaining = max(0, p.end - p.next_value + 1)
        left[p.carrier] = left.get(p.carrier, 0) + remaining
        per_pool.append({
            "id": p.id, "carrier": p.carrier, "prefix": p.prefix, "suffix": p.suffix, "scheme": p.scheme,
            "digits": p.digits, "start": p.start, "end": p.end, "size": p.end - p.start + 1,
            "used": min(p.next_value, p.end + 1) - p.start, "remaining": remaining, "low": remaining < low_water,
            "first_number": format_tracking(fmt, p.start), "last_number": format_tracking(fmt, p.end),
            "next_number": format_tracking(fmt, p.next_value) if remaining else None,
            "loaded_at": p.loaded_at.isoformat()})
    carriers = []
    for c in list_carriers(uow):
        remaining = left.get(c.code, 0)
        warning = None
        if remaining == 0:
            warning = (f"{c.name} ({c.code}) has no tracking numbers left: parcels for {c.code} "
                       f"cannot be numbered until a new range is loaded")
        elif remaining < low_water:
            warning = (f"{c.name} ({c.code}) has only {remaining} tracking numbers left "
                       f"(below {low_water}); load a new range")
        carriers.append({"carrier": c.code, "name": c.name,
                         "pools": sum(1 for p in per_pool if p["carrier"] == c.code),
                         "remaining": remaining, "low": remaining < low_water, "warning": warning})
    return {"low_water": low_water, "pools": per_pool, "carriers": carriers,
            "warnings": [c["warning"] for c in carriers if c["warning"]]}


def check_number(uow: UnitOfWork, carrier: str, tracking_no: str) -> dict[str, Any]:
    """Does a number fit the carrier's formats (S10 check digit included), and is it ours?"""
    row = get_carrier(uow, carrier)
    number = (tracking_no or "").strip().upper()
    if not number:
        raise Invalid("tracking_no: is required", "invalid_tracking")
    pools = uow.session.exec(select(TrackingPool).where(TrackingPool.carrier == row.code)
                             .order_by(TrackingPool.id)).all()  # type: ignore[arg-type]
    answer: dict[str, Any] = {"tracking_no": number, "carrier": row.code, "valid": False, "scheme": None,
                              "check_digit": None, "expected_check_digit": None, "in_pool": False,
                              "pool_id": None, "issued": False, "reason": None}
    if not pools:
        answer["reason"] = f"{row.code} has no tracking pools to check against"
        return answer
    best: str | None = None
    for p in pools:
        value, problem = _parse(number, p)
        if problem:
            best = best or problem
            continue
        answer.update(valid=True, scheme=p.scheme, reason=None)
        if p.scheme == "s10":
            answer.update(check_digit=int(number[10]), expected_check_digit=int(number[10]))
        if p.start <= value <= p.end:  # type: ignore[operator]
            answer.update(in_pool=True, pool_id=p.id)
            break
    if not answer["valid"]:
        answer["reason"] = best
        s10 = next((p for p in pools if p.scheme == "s10"), None)
        if s10 and len(number) == 13 and number[2:10].isdigit() and number[10].isdigit():
            answer.update(scheme="s10", check_digit=int(number[10]),
                          expected_check_digit=s10_check_digit(number[2:10]))
    issued = uow.session.get(TrackingNumber, number)
    answer["issued"] = issued is not None and issued.carrier == row.code
    return answer


def _parse(number: str, pool: TrackingPool) -> tuple[int | None, str | None]:
    """The pool counter a printed number stands for, or why it cannot be one of this format."""
    if pool.scheme == "s10":
        if len(number) != 13 or not (number.startswith(pool.prefix) and number.endswith(pool.suffix)):
            return None, f"an S10 number looks like {format_tracking(_fmt(pool), pool.start)}"
        if not is_valid_s10(number):
            return None, f"the S10 check digit of {number} is wrong"
        return int(number[2:10]), None
    end = len(number) - len(pool.suffix)
    body = number[len(pool.prefix):end] if end >= len(pool.prefix) else ""
    if (not number.startswith(pool.prefix) or not number.endswith(pool.suffix)
            or len(body) != pool.digits or not body.isdigit()):
        return None, f"a number looks like {format_tracking(_fmt(pool), pool.start)}"
    return int(body), None


def _fmt(pool: TrackingPool) -> PoolFormat:
    return PoolFormat(pool.prefix, pool.suffix, pool.digits, pool.scheme)
