"""Carrier rules (reach, COD, weight) and tracking-number formats with check digits."""

from __future__ import annotations

from dataclasses import dataclass

from wms.domain.errors import Conflict, Invalid

# UPU S10 (EMS, China Post): two letters, 8-digit serial, check digit, two-letter country.
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    if len(serial) != 8 or not serial.isdigit():
        raise Invalid(f"S10 serial must be 8 digits, got {serial!r}", "invalid_tracking")
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS)) % 11
    return {10: 0, 11: 5}.get(check, check)


def is_valid_s10(number: str) -> bool:
    if len(number) != 13 or not (number[:2].isalpha() and number[-2:].isalpha()):
        return False
    body = number[2:11]
    return body.isdigit() and s10_check_digit(body[:8]) == int(body[8])


@dataclass(frozen=True)
class PoolFormat:
    prefix: str
    suffix: str
    digits: int
    scheme: str = "plain"  # plain | s10


def format_tracking(fmt: PoolFormat, value: int) -> str:
    """Turn a pool counter into the carrier's printed number."""
    if fmt.scheme == "s10":
        serial = f"{value:08d}"
        return f"{fmt.prefix}{serial}{s10_check_digit(serial)}{fmt.suffix}"
    return f"{fmt.prefix}{value:0{fmt.digits}d}{fmt.suffix}"


def validate_pool(fmt: PoolFormat, start: int, end: int) -> None:
    if start < 0 or end < start:
        raise Invalid("a pool needs 0 <= start <= end", "invalid_pool")
    limit = 10 ** (8 if fmt.scheme == "s10" else fmt.digits)
    if end >= limit:
        raise Invalid(f"end {end} does not fit in {fmt.digits} digits", "invalid_pool")


@dataclass(frozen=True)
class CarrierRule:
    code: str
    regions: tuple[str, ...]  # provinces, or "*" for everywhere
    excluded_regions: tuple[str, ...] = ()
    cod: bool = False
    max_weight_g: int = 0  # 0: no limit
    is_default: bool = False
    is_fallback: bool = False

    def accepts(self, province: str, cod: bool, weight_g: int) -> bool:
        reaches = ("*" in self.regions or province in self.regions) and province not in self.excluded_regions
        return reaches and (self.cod or not cod) and (not self.max_weight_g or weight_g <= self.max_weight_g)


def choose_carrier(
    rules: list[CarrierRule], province: str, cod: bool, weight_g: int, requested: str | None = None
) -> str:
    """The requested carrier if it can take the parcel, else the default, else the fallback."""
    by_code = {r.code: r for r in rules}
    order: list[CarrierRule] = []
    if requested and requested in by_code:
        order.append(by_code[requested])
    order += [r for r in rules if r.is_default] + [r for r in rules if r.is_fallback]
    order += [r for r in rules if r not in order]
    for rule in order:
        if rule.accepts(province, cod, weight_g):
            return rule.code
    raise Conflict(
        f"no carrier reaches {province or 'this address'}"
        + (" with cash on delivery" if cod else "") + f" at {weight_g} g",
        "no_carrier",
    )


def carrier_problems(rules: list[CarrierRule], province: str, cod: bool, weight_g: int,
                     requested: str | None = None) -> list[str]:
    """What review must hold an order for: a carrier asked for that cannot carry it (unknown, no
    reach, no COD on the contract, too heavy), or nobody at all who can. Checked when the order
    arrives, so packing never has to switch carriers behind the seller's back."""
    if not rules:
        return []  # no contracts loaded: the house carrier takes everything
    by_code = {r.code: r for r in rules}
    if requested:
        rule = by_code.get(requested)
        if rule is None:
            return [f"carrier {requested} is not one of ours ({', '.join(sorted(by_code))})"]
        problems = []
        if not (("*" in rule.regions or province in rule.regions) and province not in rule.excluded_regions):
            problems.append(f"carrier {requested} does not reach {province or 'this address'}")
        if cod and not rule.cod:
            problems.append(f"carrier {requested} does not carry cash on delivery")
        if rule.max_weight_g and weight_g > rule.max_weight_g:
            problems.append(f"carrier {requested} takes at most {rule.max_weight_g} g; this order weighs ≈{weight_g} g")
        return problems
    if not any(r.accepts(province, cod, weight_g) for r in rules):
        return [f"no carrier reaches {province or 'this address'}" + (" with cash on delivery" if cod else "")
                + f" at ≈{weight_g} g"]
    return []
