"""An HTTP client on a fresh database, with a token per role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from wms.app import create_app
from wms.config import Settings


class Api:
    """A thin client that speaks as one role at a time: `api.as_("packer").post(...)`."""

    def __init__(self, client: TestClient, tokens: dict[str, str], role: str = "admin") -> None:
        self.client, self.tokens, self.role = client, tokens, role

    def as_(self, role: str) -> Api:
        return Api(self.client, self.tokens, role)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[self.role]}", **(extra or {})}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.patch(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api(client: TestClient, tokens: dict[str, str]) -> Api:
    return Api(client, tokens)


def page_form(client: TestClient, path: str = "/login", **fields: str) -> dict[str, str]:
    """A page form's fields as the browser sends them: with the CSRF value the page carries
    (read from the page, the browser keeping the page's cookie)."""
    import re

    page = client.get(path, follow_redirects=False).text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert found, f"{path} carries no CSRF value"
    return {**fields, "csrf_token": found.group(1)}


def make_sku(api: Api, sku: str, grams: int, tol: int = 2, barcode: str | None = None, name: str | None = None) -> None:
    body = {"sku": sku, "name": name or sku, "barcodes": [barcode] if barcode else [],
            "unit_weight_g": grams, "weight_tolerance_g": tol}
    r = api.post("/api/skus", body)
    assert r.status_code == 201, r.text


def make_order(api: Api, order_no: str, lines: list[tuple[str, int]], **extra: Any) -> Any:
    body = {"order_no": order_no,
            "recipient": {"name": "张三", "phone": "13812345678", "province": "广东省", "city": "深圳市",
                          "district": "南山区", "address": "科技园南区高新南七道 18 号 5 栋 1203"},
            "lines": [{"sku": s, "qty": q} for s, q in lines], **extra}
    r = api.post("/api/orders", body)
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest.fixture
def live_url(engine: Engine, settings: Settings) -> Iterator[str]:
    """The real service on a free local port (uvicorn in a thread), for concurrent clients."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine, settings), host="127.0.0.1", port=port,
                                           log_level="warning", workers=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def stored_anywhere(engine: Engine, texts: list[str]) -> list[tuple[str, str]]:
    """(table, text) for every text found in any row of the database (wms.adapters.db.text_search)."""
    from wms.adapters.db.text_search import find_texts

    return find_texts(engine, texts)
