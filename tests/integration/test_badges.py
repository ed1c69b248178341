"""Badges: a person signs in by scanning their card, and a supervisor overrides a weight mismatch
at a packer's station by scanning theirs, while the packer stays signed in.

Badges are issued with `wms user badge`, the way a lead would; only their hash is stored."""

from __future__ import annotations

import subprocess

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from tests.integration.conftest import page_form, stored_anywhere
from tests.integration.test_pack_station import CUP, SHIRT, SOCK, open_session, scan, weigh
from tests.integration.test_pack_station import order as order  # noqa: F401  (fixture)
from wms.adapters.db.tables import Override
from wms.adapters.db.uow import UnitOfWork
from wms.cli import _register_all, app
from wms.services.people.auth import create_user

PASSWORD = "right-pass-1"
_register_all()


@pytest.fixture
def people(engine, database_url) -> dict[str, str]:
    """A packer and a supervisor, each with a badge from the CLI: {username: badge code}."""
    with UnitOfWork(engine) as uow:
        create_user(uow, "wang", PASSWORD, "packer")
        create_user(uow, "li", PASSWORD, "supervisor")
        uow.commit()
    codes = {}
    for name in ("wang", "li"):
        r = CliRunner().invoke(app, ["user", "badge", "--username", name, "--database", database_url])
        assert r.exit_code == 0, r.output
        codes[name] = r.output.strip().splitlines()[-1].removeprefix("badge ")
    return codes


def test_a_scanned_badge_signs_in_as_its_holder_and_only_its_hash_is_stored(client, engine, people):
    r = client.post("/api/auth/badge", json={"badge": people["wang"]})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["role"]) == ("wang", "packer")
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["name"] == "wang"
    # scanners differ in case and may add a blank; the code is the same
    assert client.post("/api/auth/badge", json={"badge": " " + people["li"].lower()}).json()["name"] == "li"
    assert stored_anywhere(engine, list(people.values())) == []


def test_an_unknown_or_replaced_badge_is_refused_and_guessing_is_locked_out(client, database_url, people):
    old = people["wang"]
    r = CliRunner().invoke(app, ["user", "badge", "--username", "wang", "--database", database_url])
    new = r.output.strip().splitlines()[-1].removeprefix("badge ")
    assert new != old
    r = client.post("/api/auth/badge", json={"badge": old})
    assert r.status_code == 401 and r.json()["error"] == "bad_badge", r.text
    assert client.post("/api/auth/badge", json={"badge": new}).status_code == 200
    r = client.post("/api/auth/badge", json={"badge": ""})
    assert r.status_code == 422
    for n in range(25):
        r = client.post("/api/auth/badge", json={"badge": f"WMSBGUESS{n:04d}"})
        if r.status_code == 429:
            break
    assert r.status_code == 429 and r.json()["error"] == "login_locked" and int(r.headers["Retry-After"]) > 0
    assert client.post("/api/auth/badge", json={"badge": new}).status_code == 429  # locked means locked


def test_a_lost_badge_is_revoked_from_the_cli(client, database_url, people):
    r = CliRunner().invoke(app, ["user", "badge", "--username", "wang", "--revoke", "--database", database_url])
    assert r.exit_code == 0 and "no longer works" in r.output
    assert client.post("/api/auth/badge", json={"badge": people["wang"]}).json()["error"] == "bad_badge"
    r = CliRunner().invoke(app, ["user", "badge", "--username", "nobody", "--database", database_url])
    assert r.exit_code != 0 and "no user nobody" in r.output


def test_the_sign_in_page_takes_a_badge_scan_and_sets_the_cookie(client, people):
    page = client.get("/login").text
    assert 'id="badge-login"' in page and 'name="badge"' in page
    r = client.post("/login", data=page_form(client, badge=people["wang"], next="/station"), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/station"
    assert client.get("/api/auth/me").json()["name"] == "wang"  # the cookie now carries wang's token
    client.cookies.clear()
    r = client.post("/login", data=page_form(client, badge="WMSBNOTABADGE"), follow_redirects=False)
    assert r.status_code == 401 and 'data-error="bad_badge"' in r.text


def test_a_supervisor_badge_overrides_at_the_packers_station_and_the_record_names_the_supervisor(
        api, engine, order, people):  # noqa: F811
    sid = open_session(api, order)
    for code in (SHIRT, CUP, SOCK):
        scan(api, sid, code)
    assert weigh(api, sid, 430).json()["verdict"] == "underweight"
    packer = api.as_("packer")
    url = f"/api/pack/sessions/{sid}/badge-override"
    r = packer.post(url, {"reason": "sock pack is lighter", "badge": people["wang"]})  # a packer's own badge
    assert r.status_code == 403 and r.json()["error"] == "badge_not_allowed", r.text
    r = packer.post(url, {"reason": "sock pack is lighter", "badge": "WMSBWRONGWRONG"})
    assert r.status_code == 403 and r.json()["error"] == "bad_badge"
    r = packer.post(f"/api/pack/sessions/{sid}/override", {"reason": "sock pack is lighter"})
    assert r.status_code == 403  # without a badge a packer still cannot
    r = packer.post(url, {"reason": "sock pack is lighter, checked by hand", "badge": people["li"]})
    assert r.status_code == 200, r.text
    assert r.json()["tracking_no"] and r.json()["override_by"] == "li"
    with UnitOfWork(engine) as uow:
        row = uow.session.exec(select(Override).where(Override.session_id == sid)).one()
        assert (row.by, row.role, row.reason) == ("li", "supervisor", "sock pack is lighter, checked by hand")
    assert packer.get("/api/auth/me").json()["role"] == "packer"  # the packer's sign-in is untouched
    again = packer.post(url, {"reason": "twice", "badge": people["li"]})
    assert again.status_code == 409 and again.json()["error"] == "session_closed"


def test_a_badge_card_is_a_pdf_with_the_name_and_bars_but_not_the_code_in_text(tmp_path, database_url, people):
    card = tmp_path / "li.pdf"
    r = CliRunner().invoke(app, ["user", "badge", "--username", "li", "--card", str(card),
                                 "--database", database_url])
    assert r.exit_code == 0, r.output
    code = r.output.strip().splitlines()[-1].removeprefix("badge ")
    text = subprocess.run(["pdftotext", str(card), "-"], capture_output=True, text=True, check=True).stdout
    assert "li" in text and "主管" in text and code not in text
