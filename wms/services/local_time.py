"""Times as the people in the warehouse read them: records are kept in UTC, pages and evidence
sheets show the warehouse's zone (`WMS_DISPLAY_TIMEZONE`, Asia/Shanghai by default)."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wms.config import get_settings


def zone() -> tzinfo:
    """The display zone; an unknown name falls back to UTC (the pages say which one they use)."""
    try:
        return ZoneInfo(get_settings().display_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def zone_name() -> str:
    return str(zone())


def local(moment: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """`moment` (aware, naive UTC, or ISO text) in the display zone; "" for None."""
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone()).strftime(fmt)
