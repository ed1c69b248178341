"""One line a packer can read for each answer the service gives to a station event."""

from __future__ import annotations

from typing import Any


def describe_event(event: dict[str, Any]) -> str:
    if event.get("kind") == "weight":
        return f"weight {event.get('grams')} g"
    return f"scan {event.get('code')}"


def describe_answer(event: dict[str, Any], answer: Any) -> str:
    """`scan 6930000000012: scanned TEE (2 to go)`, `weight 276 g: pass, tracking SF123`,
    `scan 123: refused, wrong_item: ...`."""
    what = describe_event(event)
    if not isinstance(answer, dict):
        return f"{what}: {str(answer)[:200]}"
    if answer.get("error") == "double_read" and "action" not in answer:
        return (f"{what}: double read, counted once (dropped as intended; "
                f"{answer.get('remaining', '?')} to go)")
    if "error" in answer and "action" not in answer:
        return f"{what}: refused, {answer['error']}: {answer.get('message', '')}".rstrip(": ")
    action = answer.get("action", "?")
    result = answer.get("result") if isinstance(answer.get("result"), dict) else {}
    if "verdict" in result:
        text = (f"{what}: {action}, {result['verdict']} (expected {result.get('expected_g')} "
                f"± {result.get('tolerance_g')} g, off by {result.get('delta_g')} g)")
        if result.get("tracking_no"):
            return f"{text}, tracking {result['tracking_no']}"
        detail = result.get("message") or result.get("explanation")
        return f"{text}: {detail}" if detail else text
    if action == "opened":
        lines = result.get("lines") or []
        items = ", ".join(f"{line.get('sku')} x{line.get('qty')}"
                          for line in lines if isinstance(line, dict))
        opened = f"{what}: opened session {result.get('session_id')}"
        return f"{opened} ({items})" if items else opened
    if "sku" in result:
        remaining = result.get("remaining")
        left = f", {remaining} to go" if isinstance(remaining, int) else ""
        return f"{what}: {action} {result['sku']}{left}"
    return f"{what}: {action}"
