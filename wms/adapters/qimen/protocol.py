"""The 奇门 (Qimen) wire format, both ways: the signature, the request's query parameters, the XML
(or JSON) bodies and the `<response>` answer. No database, no web framework: the endpoint
(`wms.api.qimen`), the callback client and the tests all stand on this.

Signature, as TOP publishes it for Qimen (shared/specs/qimen.md): the upper-case hex MD5 of
secret + every query parameter except `sign`, as name followed by value, sorted by name + the
raw request body + secret, all UTF-8.

XML is read with defusedxml: a DOCTYPE, an entity declaration or an external reference is
refused, so entity expansion ("billion laughs") and external entities never reach the parser.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from wms.domain.incoming import BEIJING

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PREFIX = "taobao.qimen."
# Fields that repeat inside their parent: always read as a list, even with one element.
LISTS = {"orderLines": "orderLine", "items": "item", "packages": "package", "components": "component",
         "combineItems": "combineItem", "criteriaList": "criteria"}


class QimenFailure(Exception):
    """A request the warehouse refuses: answered `<flag>failure</flag>` with this code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def sign(secret: str, params: dict[str, str], body: bytes | str) -> str:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    text = "".join(f"{k}{v}" for k, v in sorted(params.items()) if k != "sign" and v is not None)
    digest = hashlib.md5(secret.encode("utf-8") + text.encode("utf-8") + raw + secret.encode("utf-8"))
    return digest.hexdigest().upper()


def short_method(method: str) -> str:
    """`taobao.qimen.deliveryorder.create` and `deliveryorder.create` are one method."""
    method = (method or "").strip()
    return method[len(PREFIX):] if method.startswith(PREFIX) else method


def timestamp(now: datetime | None = None) -> str:
    return (now or datetime.now(BEIJING)).astimezone(BEIJING).strftime(TIME_FORMAT)


def parse_timestamp(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), TIME_FORMAT).replace(tzinfo=BEIJING)
    except (ValueError, AttributeError):
        raise QimenFailure("invalid_timestamp", f"timestamp {value!r} is not yyyy-MM-dd HH:mm:ss (Beijing time)") from None


def _element_value(element: Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    out: dict[str, Any] = {}
    for child in children:
        value = _element_value(child)
        if element.tag in LISTS and child.tag == LISTS[element.tag]:
            out.setdefault(child.tag, []).append(value)
        elif child.tag in out:  # a repeated element not in LISTS: keep them all
            if not isinstance(out[child.tag], list):
                out[child.tag] = [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = value
    return out


def parse_body(body: bytes, fmt: str = "xml") -> dict[str, Any]:
    """The request as a dict (the `<request>` element's children); QimenFailure when unreadable."""
    if not body.strip():
        raise QimenFailure("missing_body", "the request has no body")
    if fmt == "json":
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise QimenFailure("malformed_body", "the body is not JSON") from None
        if isinstance(data, dict) and isinstance(data.get("request"), dict):
            data = data["request"]
        if not isinstance(data, dict):
            raise QimenFailure("malformed_body", "the body is not a JSON object")
        return data
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise QimenFailure("hostile_xml", f"DOCTYPE and entity declarations are refused ({type(exc).__name__})") from None
    except (ParseError, ValueError, RecursionError) as exc:
        raise QimenFailure("malformed_xml", f"the body is not well-formed XML: {exc}"[:300]) from None
    value = _element_value(root)
    return value if isinstance(value, dict) else {}


def _append(parent: Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        holder = SubElement(parent, name)
        for entry in value:
            _append(holder, LISTS.get(name, name), entry)
        return
    node = SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(node, key, inner)
    elif value is not None:
        node.text = str(value)


def render(root: str, fields: dict[str, Any], fmt: str = "xml") -> bytes:
    """`<root>` with `fields` as elements (lists under their LISTS name), or the JSON of it."""
    if fmt == "json":
        return json.dumps({root: fields}, ensure_ascii=False).encode("utf-8")
    element = Element(root)
    for key, value in fields.items():
        _append(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + tostring(element, encoding="unicode").encode("utf-8")


def success(fmt: str = "xml", message: str = "ok", **fields: Any) -> bytes:
    return render("response", {"flag": "success", "code": "0", "message": message, **fields}, fmt)


def failure(code: str, message: str, fmt: str = "xml") -> bytes:
    return render("response", {"flag": "failure", "code": code, "message": message}, fmt)


def read_answer(body: bytes, fmt: str = "xml") -> dict[str, Any]:
    """An answer `<response>` as a dict (flag, code, message, ...)."""
    data = parse_body(body, fmt)
    if fmt == "json" and isinstance(data.get("response"), dict):
        data = data["response"]
    return data
