"""What each line shows the packer: the product's picture (when the SKU has one, from wherever
the seller keeps it) and the printed barcode, to compare with the item in hand."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from tests.browser.conftest import CUP, SHIRT, screenshot
from tests.browser.test_station_page import open_at_pk02

pytestmark = pytest.mark.browser


@pytest.fixture
def picture_host() -> Iterator[str]:
    """A stand-in for the seller's image host (a CDN): one blue 96 px product photo."""
    buf = io.BytesIO()
    Image.new("RGB", (96, 96), (37, 99, 235)).save(buf, "PNG")
    photo = buf.getvalue()

    class Photos(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/shirt.png":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(photo)))
            self.end_headers()
            self.wfile.write(photo)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Photos)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_line_shows_the_products_picture_and_its_printed_code(browser, warehouse, picture_host):
    api = warehouse["api"]
    assert api.patch("/api/skus/SHIRT", json={"image_url": f"{picture_host}/shirt.png"}).status_code == 200
    assert api.patch("/api/skus/CUP", json={"image_url": f"{picture_host}/gone.png"}).status_code == 200
    page = open_at_pk02(browser, warehouse, "TB190", [("SHIRT", 1), ("CUP", 1), ("SOCK", 1)], 3)
    page.wait_for_function("(() => { const i = document.querySelector(\"tr[data-sku='SHIRT'] img.line-pic\");"
                           " return i && i.complete && i.naturalWidth === 96; })()")
    # a picture that does not load leaves no broken-image box; a SKU without one shows none
    page.wait_for_function("!document.querySelector(\"tr[data-sku='CUP'] img.line-pic\")")
    assert page.query_selector("tr[data-sku='SOCK'] img.line-pic") is None
    assert page.inner_text("tr[data-sku='SHIRT'] .line-barcode") == SHIRT
    assert page.inner_text("tr[data-sku='CUP'] .line-barcode") == CUP
    screenshot(page, "station-line-picture-barcode-1366x768")
    page.context.close()
