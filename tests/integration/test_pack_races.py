"""Two service instances on one database, racing on the same order: the packing flow's one lock
order (order, then session: wms.services.packing) means no deadlock surfaces as a 503, and no
packed order gets a second, open pack session. Meaningful on PostgreSQL; on SQLite the same
races are serialised by the file lock and must come out the same."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.integration.conftest import Api, make_order, make_sku
from wms.app import create_app

CUP = "6930000000011"
ROUNDS = 12


@pytest.fixture
def two(engine, settings, tokens):
    """Two instances of the service (two apps, each with its own worker threads) on one database."""
    with TestClient(create_app(engine, settings), raise_server_exceptions=False) as a, \
            TestClient(create_app(engine, settings), raise_server_exceptions=False) as b:
        yield Api(a, tokens), Api(b, tokens)


def at_once(*calls):
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i):
        barrier.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


def ready_session(api, order_no):
    make_order(api, order_no, [("CUP", 1)])
    r = api.as_("packer").post("/api/pack/sessions", {"order_no": order_no, "station": "PK-01"})
    assert r.status_code == 201, r.text
    sid = r.json()["session_id"]
    assert api.as_("packer").post(f"/api/pack/sessions/{sid}/scans", {"code": CUP}).status_code == 200
    return sid


def sessions_of(engine, order_no):
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT s.status, COUNT(*) FROM pack_session s JOIN orders o ON o.id = s.order_id "
            "WHERE o.order_no = :no GROUP BY s.status"), {"no": order_no}).all()


def parcels_of(engine, order_no):
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT COUNT(*) FROM parcel p JOIN pack_session s ON s.id = p.session_id "
            "JOIN orders o ON o.id = s.order_id WHERE o.order_no = :no"), {"no": order_no}).scalar_one()


@pytest.fixture
def cups(two):
    api = two[0]
    make_sku(api, "CUP", 272, 5, CUP, "保温杯")
    assert api.post("/api/stock/receipts", {"sku": "CUP", "bin": "A01-01-1", "qty": 100}).status_code in (200, 201)


def test_opening_a_session_while_another_instance_weighs_never_doubles_a_session_or_deadlocks(engine, two, cups):
    a, b = two
    for i in range(ROUNDS):
        order_no = f"R{i}"
        sid = ready_session(a, order_no)
        weighed, opened = at_once(
            lambda sid=sid: a.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272}),
            lambda no=order_no: b.as_("packer").post("/api/pack/sessions", {"order_no": no, "station": "PK-02"}))
        assert weighed.status_code == 200, weighed.text
        assert weighed.json()["verdict"] == "pass" and weighed.json()["tracking_no"]
        # The open either came first (the same session, moved to PK-02) or found the order packed.
        assert opened.status_code in (200, 201, 409), opened.text
        if opened.status_code == 409:
            assert opened.json()["error"] == "already_packed"
        else:
            assert opened.json()["session_id"] == sid
        assert dict(sessions_of(engine, order_no)) == {"passed": 1}, order_no
        assert parcels_of(engine, order_no) == 1


def test_two_instances_weighing_the_same_session_make_one_parcel(engine, two, cups):
    a, b = two
    for i in range(ROUNDS):
        order_no = f"W{i}"
        sid = ready_session(a, order_no)
        answers = at_once(
            lambda sid=sid, i=i: a.as_("packer").post(f"/api/pack/sessions/{sid}/weighings",
                                                      {"grams": 272, "event_id": f"a{i}"}),
            lambda sid=sid, i=i: b.as_("packer").post(f"/api/pack/sessions/{sid}/weighings",
                                                      {"grams": 273, "event_id": f"b{i}"}))
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 409], [r.text for r in answers]
        assert [r.json()["error"] for r in answers if r.status_code == 409] == ["session_closed"]
        assert parcels_of(engine, order_no) == 1


def test_a_scan_racing_a_weighing_on_another_instance_is_answered_and_changes_nothing_after_packing(engine, two, cups):
    a, b = two
    for i in range(ROUNDS):
        order_no = f"S{i}"
        sid = ready_session(a, order_no)
        weighed, scanned = at_once(
            lambda sid=sid: a.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272}),
            lambda sid=sid: b.as_("packer").post(f"/api/pack/sessions/{sid}/scans", {"code": CUP}))
        assert scanned.status_code < 500 and weighed.status_code < 500, (scanned.text, weighed.text)
        assert parcels_of(engine, order_no) <= 1
        assert ("open", 1) not in sessions_of(engine, order_no) or parcels_of(engine, order_no) == 0


def test_voiding_a_parcel_while_another_instance_closes_the_handover_does_one_or_the_other(engine, two, cups):
    """A parcel is either voided (out of the batch, its order back to picked) or handed over
    (shipped, the void refused with already_handed_over), never both and never a 5xx."""
    a, b = two
    outcomes: set[str] = set()
    for i in range(ROUNDS):
        order_no = f"V{i}"
        sid = ready_session(a, order_no)
        tracking = a.as_("packer").post(f"/api/pack/sessions/{sid}/weighings", {"grams": 272}).json()["tracking_no"]
        voided, closed = at_once(
            lambda t=tracking: a.as_("supervisor").post(f"/api/parcels/{t}/void", {"reason": "label torn"}),
            lambda: b.as_("supervisor").post("/api/handovers", {"carrier": "WMS"}))
        assert voided.status_code < 500 and closed.status_code < 500, (voided.text, closed.text)
        with engine.connect() as conn:
            status, handover = conn.execute(text("SELECT status, handover_id FROM parcel WHERE tracking_no = :t"),
                                            {"t": tracking}).one()
            order_status = conn.execute(text("SELECT status FROM orders WHERE order_no = :n"), {"n": order_no}).scalar()
        if voided.status_code == 200:
            assert (status, handover, order_status) == ("voided", None, "picked")
            outcomes.add("voided")
        else:
            assert voided.json()["error"] == "already_handed_over", voided.text
            assert status == "shipped" and handover is not None and order_status == "shipped"
            outcomes.add("handed over")
        assert closed.status_code in (201, 409), closed.text
    assert outcomes, "neither ever happened"
