"""Browser tests: the real service (uvicorn in a thread) driven by Debian's headless Chromium.

No Chromium (or no Playwright) means every browser test is SKIPPED with the reason shown
in pytest's summary (-ra): never passed without having run.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from wms.adapters.db.tables import Printer, Station
from wms.adapters.db.uow import UnitOfWork
from wms.app import create_app
from wms.config import Settings
from wms.domain.codes import gtin_check_digit
from wms.services.people.auth import create_token, create_user

CHROMIUM = os.environ.get("WMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-quic"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-output" / "screenshots"
PASSWORD = "bench-pass-1"
SMALL = {"width": 1366, "height": 768}
LARGE = {"width": 1920, "height": 1080}


def ean13(body12: str) -> str:
    return body12 + str(gtin_check_digit(body12))


SHIRT, CUP, SOCK, MUG = ean13("692000000001"), ean13("693000000001"), ean13("690123456789"), ean13("694000000007")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests skipped: the playwright package is not installed (pip install -e '.[test]')")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} "
                    "(apt-get install chromium, or point WMS_CHROMIUM at one)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(engine: Engine) -> Iterator[str]:
    """The whole service on a free local port, on this test's fresh database."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(engine, Settings(_env_file=None))  # type: ignore[call-arg]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "the service did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture
def warehouse(engine: Engine, server: str) -> dict[str, Any]:
    """Two stations with printers, four SKUs in stock (only 3 mugs: low), order TB100
    (shirt + cup + socks, 500 g), and one user per role: packer, supervisor, aftersales, admin."""
    with UnitOfWork(engine) as uow:
        for code in ("PK-01", "PK-02"):
            uow.session.add(Printer(name=f"PRN-{code}", url=f"memory://{code}", station=code))
            uow.session.add(Station(code=code, name=f"打包台 {code[-2:]}", printer_name=f"PRN-{code}"))
        uow.commit()
        for user, role in (("packer", "packer"), ("supervisor", "supervisor"), ("aftersales", "after_sales"),
                           ("admin", "admin")):
            create_user(uow, user, PASSWORD, role)
        admin = create_token(uow, "admin", "test-admin", lifetime_s=3600)
        uow.commit()
    api = httpx.Client(base_url=server, headers={"Authorization": f"Bearer {admin}"}, timeout=10)
    for sku, grams, tol, code, name, qty in (
            ("SHIRT", 180, 4, SHIRT, "纯棉T恤 蓝色 L", 10), ("CUP", 272, 5, CUP, "保温杯 500ml", 10),
            ("SOCK", 48, 2, SOCK, "白色短袜", 10), ("MUG", 350, 5, MUG, "陶瓷马克杯", 3)):
        r = api.post("/api/skus", json={"sku": sku, "name": name, "barcodes": [code], "unit_weight_g": grams,
                                        "weight_tolerance_g": tol})
        assert r.status_code == 201, r.text
        assert api.post("/api/stock/receipts", json={"sku": sku, "bin": "A01-01-1", "qty": qty}).status_code == 201
    r = api.post("/api/orders", json={
        "order_no": "TB100",
        "recipient": {"name": "张三", "phone": "13812345678", "province": "广东省", "city": "深圳市",
                      "district": "南山区", "address": "科技园南区高新南七道 18 号 5 栋 1203"},
        "lines": [{"sku": "SHIRT", "qty": 1}, {"sku": "CUP", "qty": 1}, {"sku": "SOCK", "qty": 1}]})
    assert r.status_code == 201, r.text
    return {"url": server, "api": api, "order_no": "TB100"}


def login(browser: Any, base_url: str, user: str, viewport: dict[str, int] = SMALL) -> Any:
    """A fresh browser context signed in through the real /login form; returns its page."""
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto("/login")
    page.fill("#password-login input[name=username]", user)
    page.fill("#password-login input[name=password]", PASSWORD)
    page.click("#password-login button[type=submit]")
    page.wait_for_load_state()
    return page


def at_station(page: Any, code: str = "PK-01") -> None:
    """The packer picks their station on /station and its bench opens."""
    page.click(f"[data-station='{code}']")
    page.wait_for_selector(f"#station-app[data-station='{code}']")


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    """Saved under test-output/screenshots/ (git-ignored) for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
