"""The station's outbox: events on disk first, sent in order, gone only once answered.

The sender is tested against a real HTTP server on a local port (the stand-in service
below), started, stopped and restarted like the real one would be.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from scanners.agent.agent import StationAgent
from scanners.agent.client import ServiceClient
from scanners.agent.config import parse_config
from scanners.agent.outbox import Outbox
from scanners.agent.sender import OutboxSender
from scanners.agent.weights import PlacementGate
from scanners.readings import Reading, error_reading

EVENTS = "/api/stations/PK-01/events"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


class StandInService:
    """A local HTTP server that records every POST and answers with `reply(path, body)`
    -> (status, json). Answers 200 {"action": "scanned"} unless told otherwise."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.reply: Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]] = \
            lambda path, body: (200, {"action": "scanned", "result": {}})
        self.delay_first_answer = 0.0
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> StandInService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                service.received.append((self.path, body))
                if service.delay_first_answer:  # the service acts, but its answer is late
                    delay, service.delay_first_answer = service.delay_first_answer, 0.0
                    time.sleep(delay)
                status, answer = service.reply(self.path, body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    # The agent gave up waiting (the late-answer tests): that is the point, not an
                    # error; a traceback here would land, late, in whatever test runs next.
                    pass

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def events(self) -> list[dict[str, Any]]:
        return [body for path, body in self.received if path == EVENTS]


@pytest.fixture
def service():
    svc = StandInService().start()
    yield svc
    svc.stop()


def put_scan(box: Outbox, code: str) -> str:
    key = f"PK-01-{code}-{time.monotonic_ns()}"
    box.put(EVENTS, {"event_id": key, "kind": "scan", "code": code}, key=key)
    return key


def run_sender(box: Outbox, url: str, answers: list | None = None, timeout_s: float = 5.0) -> OutboxSender:
    client = ServiceClient(url, "token", timeout_s=timeout_s)
    on_answer = (lambda entry, answer: answers.append((entry.body["code"], answer))) if answers is not None else None
    return OutboxSender(box, client, on_answer, min_backoff=0.05, max_backoff=0.2).start()


# -- the queue itself ------------------------------------------------------------------


def test_entries_come_out_oldest_first_and_survive_closing_the_file(tmp_path):
    box = Outbox(tmp_path / "outbox.db")
    for code in ("ORDER-1", "A", "B"):
        put_scan(box, code)
    box.close()

    box = Outbox(tmp_path / "outbox.db")
    assert [e.body["code"] for e in box.pending()] == ["ORDER-1", "A", "B"]
    first = box.oldest()
    box.done(first.seq)
    assert box.oldest().body["code"] == "A" and len(box) == 2


def test_an_entry_stays_at_the_head_until_it_is_done(tmp_path):
    box = Outbox(tmp_path / "outbox.db")
    put_scan(box, "A")
    put_scan(box, "B")
    head = box.oldest()
    box.failed_attempt(head.seq, "connection refused")
    again = box.oldest()
    assert (again.seq, again.body["code"], again.attempts, again.last_error) == (
        head.seq, "A", 1, "connection refused")


def test_the_same_key_is_queued_once(tmp_path):
    box = Outbox(tmp_path / "outbox.db")
    assert box.put(EVENTS, {"event_id": "e1", "kind": "scan", "code": "A"}, key="e1")
    assert not box.put(EVENTS, {"event_id": "e1", "kind": "scan", "code": "A"}, key="e1")
    assert len(box) == 1


def test_the_outbox_file_uses_a_write_ahead_log(tmp_path):
    import sqlite3

    Outbox(tmp_path / "outbox.db").close()
    db = sqlite3.connect(tmp_path / "outbox.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


# -- sending ---------------------------------------------------------------------------


def test_events_reach_the_service_in_the_order_they_were_queued(tmp_path, service):
    box = Outbox(tmp_path / "outbox.db")
    codes = ["TB-1", "A", "B", "A", "C"]
    for code in codes:
        put_scan(box, code)
    sender = run_sender(box, service.url)
    try:
        wait_for(lambda: len(box) == 0, what="the outbox to empty")
    finally:
        sender.stop()
    assert [e["code"] for e in service.events()] == codes


def test_an_event_leaves_the_outbox_only_after_the_service_answered(tmp_path, service):
    box = Outbox(tmp_path / "outbox.db")
    service.reply = lambda path, body: (503, {"error": "unavailable", "message": "starting"})
    put_scan(box, "A")
    sender = run_sender(box, service.url)
    try:
        wait_for(lambda: len(service.events()) >= 3, what="three attempts")
        assert len(box) == 1 and box.oldest().attempts >= 2
        assert sender.state == "unreachable"
        service.reply = lambda path, body: (200, {"action": "scanned", "result": {}})
        wait_for(lambda: len(box) == 0, what="the answered event to leave")
        assert sender.state == "up"
    finally:
        sender.stop()
    assert {e["event_id"] for e in service.events()} == {service.events()[0]["event_id"]}


def test_a_refusal_is_final_and_the_events_behind_it_go_on(tmp_path, service):
    box = Outbox(tmp_path / "outbox.db")
    service.reply = lambda path, body: (
        (409, {"error": "wrong_item", "message": "not on this order"}) if body["code"] == "WRONG"
        else (200, {"action": "scanned", "result": {}}))
    for code in ("WRONG", "RIGHT"):
        put_scan(box, code)
    answers: list = []
    sender = run_sender(box, service.url, answers)
    try:
        wait_for(lambda: len(answers) == 2, what="both answers")
    finally:
        sender.stop()
    assert [(code, a.status, a.error) for code, a in answers] == [("WRONG", 409, "wrong_item"), ("RIGHT", 200, None)]
    assert [e["code"] for e in service.events()] == ["WRONG", "RIGHT"]  # the refused one was not resent
    assert len(box) == 0


def test_events_wait_while_the_service_is_down_and_go_out_once_each_in_order(tmp_path):
    port = free_port()  # nobody listens here yet: connection refused
    box = Outbox(tmp_path / "outbox.db")
    sender = run_sender(box, f"http://127.0.0.1:{port}")
    service = StandInService(port)
    try:
        for code in ("TB-1", "A", "B"):
            put_scan(box, code)
        wait_for(lambda: box.oldest().attempts >= 2, what="failed attempts")
        assert len(box) == 3 and sender.state == "unreachable"
        service.start()
        wait_for(lambda: len(box) == 0, what="the queue to drain after the service came up")
    finally:
        sender.stop()
        service.stop()
    assert [e["code"] for e in service.events()] == ["TB-1", "A", "B"]


def test_an_answer_lost_on_the_way_back_is_resent_with_the_same_event_id(tmp_path, service):
    box = Outbox(tmp_path / "outbox.db")
    service.delay_first_answer = 1.5  # longer than the client waits
    key = put_scan(box, "A")
    sender = run_sender(box, service.url, timeout_s=0.5)
    try:
        wait_for(lambda: len(box) == 0, what="the resend to be answered")
    finally:
        sender.stop()
    assert [e["event_id"] for e in service.events()] == [key, key]


def test_a_refused_token_keeps_the_events_for_a_fixed_token(tmp_path, service):
    box = Outbox(tmp_path / "outbox.db")
    service.reply = lambda path, body: (401, {"error": "unauthorized", "message": "bad token"})
    put_scan(box, "A")
    sender = run_sender(box, service.url)
    try:
        wait_for(lambda: len(service.events()) >= 2, what="a retry")
        assert len(box) == 1
        assert "service.token" in (sender.last_error or "")
    finally:
        sender.stop()


def test_events_queued_while_the_service_was_down_are_sent_by_the_next_agent(tmp_path):
    port = free_port()
    config = parse_config({"station": "PK-01", "outbox": str(tmp_path / "outbox.db"), "heartbeat_s": 0.2,
                           "service": {"url": f"http://127.0.0.1:{port}", "token": "t", "timeout_s": 1}})
    first = StationAgent(config).start()
    ids = [first.record_scan("TB-1"), first.record_scan("6930000000012"), first.record_weight(276)]
    wait_for(lambda: first.service_state == "unreachable", what="the first agent to find no service")
    first.stop()  # the station PC restarts with the events still queued

    service = StandInService(port).start()
    answers: list = []
    second = StationAgent(config, on_answer=lambda event, answer: answers.append(event["event_id"])).start()
    try:
        wait_for(lambda: len(answers) == 3, what="the queued events to be answered")
        wait_for(lambda: any(p.endswith("/heartbeat") for p, _ in service.received), what="a heartbeat")
    finally:
        second.stop()
        service.stop()
    assert [e["event_id"] for e in service.events()] == ids == answers
    weight = service.events()[2]
    assert (weight["kind"], weight["grams"], weight["stable"]) == ("weight", 276, True)
    assert weight["at"].endswith("+00:00")


# -- weights: one event per placement ------------------------------------------------------


def reading(grams: int, stable: bool = True) -> Reading:
    return Reading(grams=grams, stable=stable, raw=b"", unit="g")


def feed(gate: PlacementGate, readings: list[Reading], step: float = 0.2) -> list[int]:
    """Readings one poll apart; the grams that would become weight events."""
    sent = []
    for i, r in enumerate(readings):
        grams = gate.offer(r, now=i * step)
        if grams is not None:
            sent.append(grams)
    return sent


def test_a_parcel_left_on_the_scale_is_weighed_once():
    gate = PlacementGate(empty_below_g=5, resend_delta_g=10, settle_s=0.4)
    assert feed(gate, [reading(0), reading(150, False), reading(276, False)] + [reading(276)] * 50) == [276]


def test_unstable_and_error_readings_are_never_sent():
    gate = PlacementGate(settle_s=0.0)
    assert feed(gate, [reading(276, False)] * 10 + [error_reading("overload", b"")] * 5) == []


def test_taking_the_parcel_off_and_putting_it_back_weighs_it_again():
    gate = PlacementGate(empty_below_g=5, resend_delta_g=10, settle_s=0.0)
    placements = [reading(276)] * 5 + [reading(2, False), reading(0)] + [reading(276)] * 5
    assert feed(gate, placements) == [276, 276]


def test_adding_an_item_while_the_parcel_stays_on_is_a_new_weight_but_drift_is_not():
    gate = PlacementGate(empty_below_g=5, resend_delta_g=10, settle_s=0.0)
    assert feed(gate, [reading(276), reading(277), reading(275), reading(300, False), reading(324)]) == [276, 324]


def test_a_weight_must_hold_for_the_settle_time_before_it_is_sent():
    gate = PlacementGate(settle_s=0.5)
    # stable for one poll only, then the packer pushes on it; then it holds
    sent = feed(gate, [reading(276), reading(320, False)] + [reading(324)] * 4, step=0.2)
    assert sent == [324]
