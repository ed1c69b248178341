"""The station agent against the real service (on SQLite or PostgreSQL): its scanner's
double read counts once, is answered 409 double_read and leaves the outbox (dropped as
intended, never retried); a second unit scanned a packer's pace later counts."""

from __future__ import annotations

import time
from typing import Any

import pytest

from scanners.agent.agent import StationAgent
from scanners.agent.config import parse_config
from scanners.agent.messages import describe_answer
from scanners.emulators.scanner import SerialScanner
from tests.integration.conftest import make_order, make_sku

SOCK = "6901234567892"


def wait_for(cond, timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    pytest.fail(f"timed out: {what}")


@pytest.fixture
def station(api, tokens, live_url, tmp_path):
    make_sku(api, "SOCK", 48, 2, SOCK)
    api.post("/api/stock/receipts", {"sku": "SOCK", "bin": "A03-05-2", "qty": 20})
    make_order(api, "TB300", [("SOCK", 3)])
    scanner = SerialScanner().start()
    config = parse_config({"station": "PK-07", "outbox": str(tmp_path / "outbox.db"), "heartbeat_s": 5,
                           "service": {"url": live_url, "token": tokens["packer"], "timeout_s": 5},
                           "scanner": {"port": scanner.path}})
    answers: list[tuple[dict, Any]] = []
    agent = StationAgent(config, on_answer=lambda event, answer: answers.append((event, answer))).start()
    wait_for(lambda: agent.devices.get("scanner") == "up", 10, "the scanner to connect")
    yield agent, scanner, answers
    agent.stop()
    scanner.stop()


def socks_scanned(api) -> int:
    sessions = [s for s in [api.get("/api/pack/sessions/1").json()] if "lines" in s]
    return sessions[0]["lines"][0]["scanned"] if sessions else -1


def test_the_agents_double_read_within_the_window_counts_once_and_is_not_retried(api, station):
    agent, scanner, answers = station
    scanner.emit("TB300")
    wait_for(lambda: len(answers) == 1, 10, "the order to open")
    scanner.emit(SOCK)
    scanner.emit(SOCK)  # the scanner's own repeat, milliseconds later
    wait_for(lambda: len(answers) == 3, 10, "both reads to be answered")
    (first_event, first), (echo_event, echo) = answers[1], answers[2]
    assert first_event["source"] == "scanner" and first_event["scanned_at"]
    assert first["action"] == "scanned" and first["result"]["scanned"] == 1
    assert echo["error"] == "double_read", echo
    assert "double read, counted once" in describe_answer(echo_event, echo)
    assert len(agent.outbox) == 0, "a double read is a final answer, not something to send again"
    time.sleep(0.5)
    assert len(answers) == 3, "never retried"
    assert socks_scanned(api) == 1

    time.sleep(0.4)  # a packer lifting the second sock into the beam
    scanner.emit(SOCK)
    wait_for(lambda: len(answers) == 4, 10, "the second sock to be answered")
    assert answers[3][1]["result"]["scanned"] == 2
    assert socks_scanned(api) == 2

    agent.confirm_repeat(echo_event)  # the packer says the echo was a unit after all
    wait_for(lambda: len(answers) == 5, 10, "the confirmation to be answered")
    assert answers[4][1]["result"]["scanned"] == 3
    assert socks_scanned(api) == 3
