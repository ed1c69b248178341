"""Tokens and roles (401 / 403) and the error format every client relies on."""

from tests.integration.conftest import make_sku, page_form


def test_a_call_without_a_token_gets_401_with_the_error_format(client):
    r = client.get("/api/overview")
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized"
    assert r.json()["message"]


def test_an_unknown_token_gets_401(client):
    r = client.get("/api/overview", headers={"Authorization": "Bearer wms_nope"})
    assert r.status_code == 401
    assert r.json()["error"] == "unauthorized"


def test_a_packer_cannot_create_skus(api):
    r = api.as_("packer").post("/api/skus", {"sku": "X", "name": "x", "unit_weight_g": 10})
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


def test_a_packer_cannot_read_weight_history(api):
    r = api.as_("packer").get("/api/parcels/SF1/weighings")
    assert r.status_code == 403


def test_validation_errors_name_the_field(api):
    r = api.post("/api/skus", {"sku": "X", "name": "x", "unit_weight_g": -5})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "validation_error"
    assert "unit_weight_g" in body["message"]


def test_malformed_json_is_a_4xx_not_a_500(api):
    r = api.client.post("/api/skus", content=b"{not json", headers={
        **api._headers(), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["error"] == "validation_error"


def test_unknown_route_is_a_json_404(api):
    r = api.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_duplicate_sku_is_a_409_with_a_stable_code(api):
    make_sku(api, "TS-1", 180)
    r = api.post("/api/skus", {"sku": "TS-1", "name": "again", "unit_weight_g": 10})
    assert r.status_code == 409
    assert r.json()["error"] == "duplicate_sku"


def test_barcode_with_a_wrong_check_digit_is_refused(api):
    r = api.post("/api/skus", {"sku": "B", "name": "b", "unit_weight_g": 10, "barcodes": ["6901234567891"]})
    assert r.status_code == 422
    assert r.json()["error"] == "invalid_barcode"


def test_a_packer_sees_the_recipients_phone_masked(api):
    from tests.integration.conftest import make_order

    make_order(api, "P1", [("X", 1)])
    assert api.as_("packer").get("/api/orders/P1").json()["recipient"]["phone"] == "138****5678"
    assert api.as_("after_sales").get("/api/orders/P1").json()["recipient"]["phone"] == "13812345678"


def _server_timing(response) -> dict[str, float]:
    metrics = {}
    for part in response.headers["server-timing"].split(","):
        name, _, duration = part.strip().partition(";dur=")
        metrics[name] = float(duration)
    return metrics


def test_every_answer_says_how_long_the_service_took(api, engine):
    """Server-Timing lets a station tell the service's time from the network's, and how much of
    it went waiting for, and holding, the embedded database's write lock."""
    for r in (api.get("/api/overview"), api.get("/api/no-such-thing")):
        timing = _server_timing(r)
        assert set(timing) == {"app", "lock", "write"}, r.headers["server-timing"]
        assert timing["lock"] == timing["write"] == 0 and timing["app"] >= 0  # reads take no write lock
    for r in (api.as_("packer").post("/api/stations/PK-01/events", {"kind": "weight", "grams": 5}),
              api.as_("packer").post("/api/stations/PK-01/heartbeat", {"devices": {"scale": "ok"}})):
        timing = _server_timing(r)
        assert set(timing) == {"app", "lock", "write"}, r.headers["server-timing"]
        if engine.dialect.name == "sqlite":  # PostgreSQL has no write lock of ours to wait for
            assert 0 < timing["write"] and timing["lock"] + timing["write"] <= timing["app"]


def test_a_checked_token_is_not_trusted_after_logout(api, tokens, client):
    """The token cache forgets a token the moment its holder logs out through the service."""
    token = tokens["packer"]
    assert client.get("/api/stations", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    client.cookies.set("wms_token", token)
    assert client.post("/logout", data=page_form(client, "/station"), follow_redirects=False).status_code == 303
    r = client.get("/api/stations", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
