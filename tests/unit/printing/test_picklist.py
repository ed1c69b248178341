import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from printing.picklist import (
    render_picklist_pdf,
    render_route_png,
    render_route_svg,
    stops_in_route_order,
)
from wms.domain.layout import load_layout
from wms.domain.routing import plan_route

LAYOUT = load_layout(Path(__file__).resolve().parents[2] / "fixtures_layouts" / "demo-dc.json")
BINS = ["A02-07-2", "A01-01-1", "A03-06-3"]
ROUTE = plan_route(LAYOUT, BINS, "optimal")
PICKLIST = {
    "wave": "W20240601-01",
    "trip": 3,
    "stops": [
        {"bin": "A01-01-1", "sku": "SKU-CUP", "name": "保温杯 500ml 白色", "qty": 2, "tote": 1},
        {"bin": "A02-07-2", "sku": "SKU-USB", "name": "数据线 Type-C", "qty": 1, "tote": 2},
        {"bin": "A03-06-3", "sku": "SKU-CASE", "name": "手机壳", "qty": 1, "tote": 1},
    ],
}


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_stops_are_listed_in_route_order():
    ordered = [s["bin"] for s in stops_in_route_order(PICKLIST, ROUTE)]
    assert ordered == list(ROUTE.sequence)


def test_a4_pick_list_is_one_page_with_an_embedded_truetype_font():
    pdf = render_picklist_pdf(PICKLIST, LAYOUT, ROUTE)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1
    assert b"/FontFile2" in pdf  # the CJK TrueType font is embedded, not referenced


def test_label_size_pick_list_puts_the_map_on_its_own_page():
    pdf = render_picklist_pdf(PICKLIST, LAYOUT, ROUTE, size="100x150")
    assert page_count(pdf) == 2
    # 100 x 150 mm in points
    assert re.search(rb"/MediaBox \[\s*0 0 283\.46\d* 425\.19\d*\s*\]", pdf)


def test_a_long_pick_list_continues_on_further_pages():
    many = dict(PICKLIST, stops=[dict(PICKLIST["stops"][i % 3], qty=i) for i in range(120)])
    pdf = render_picklist_pdf(many, LAYOUT, ROUTE)
    assert page_count(pdf) >= 3


def test_an_unknown_size_is_refused():
    with pytest.raises(ValueError, match="A5"):
        render_picklist_pdf(PICKLIST, LAYOUT, ROUTE, size="A5")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler pdftotext not installed")
def test_chinese_names_come_out_of_the_pdf_as_text(tmp_path):
    path = tmp_path / "picklist.pdf"
    path.write_bytes(render_picklist_pdf(PICKLIST, LAYOUT, ROUTE))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for word in ("拣货单", "保温杯", "数据线", "手机壳", "W20240601-01"):
        assert word in text
    assert text.index("手机壳") < text.index("数据线") < text.index("保温杯")  # route order


def test_svg_is_xml_with_the_route_polyline_through_the_path_points():
    svg = render_route_svg(LAYOUT, ROUTE)
    root = ET.fromstring(svg)
    ns = {"s": "http://www.w3.org/2000/svg"}
    polyline = root.find(".//s:polyline[@id='route']", ns)
    points = [tuple(float(v) for v in p.split(",")) for p in polyline.get("points").split()]
    assert points == [tuple(p) for p in ROUTE.path]
    assert len(root.findall(".//s:circle", ns)) == len(BINS)
    assert len(root.findall(".//s:line[@class='aisle']", ns)) == len(LAYOUT.aisles)


def test_png_has_the_requested_size_and_shows_the_route_colour():
    png = render_route_png(LAYOUT, ROUTE, size=(640, 480))
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == (640, 480)
    colours = {c for _, c in img.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert (200, 30, 45) in colours
