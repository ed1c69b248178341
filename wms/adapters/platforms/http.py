"""The one place a connector's HTTP call can fail: every transport fault becomes a PlatformError."""

from __future__ import annotations

import json
from typing import Any

import httpx

from wms.adapters.platforms.base import PlatformError


def post_form(client: httpx.Client, url: str, data: dict[str, str], who: str) -> Any:
    try:
        response = client.post(url, data=data)
        body = response.content
    except httpx.TimeoutException:
        raise PlatformError("timeout", f"{who} did not answer in {client.timeout.read or 0:g} s; "
                            "will try again", retryable=True) from None
    except httpx.HTTPError as exc:  # refused, reset, a half-written body
        raise PlatformError("unreachable", f"{who} could not be reached or broke off its answer "
                            f"({type(exc).__name__}: {exc}); will try again", retryable=True) from None
    if response.status_code >= 500:
        raise PlatformError("platform_down", f"{who} answered HTTP {response.status_code}; will try again",
                            retryable=True)
    if response.status_code == 429:
        raise PlatformError("rate_limited", f"{who} answered HTTP 429 (too many calls); will try again",
                            retryable=True, retry_after=_seconds(response.headers.get("retry-after")))
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise PlatformError("bad_answer", f"{who} sent an answer that is not complete JSON "
                            f"(HTTP {response.status_code}, {len(body)} bytes); will try again",
                            retryable=True) from None


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
