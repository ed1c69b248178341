"""`POST /qimen`: the router URL a seller's ERP (or the Qimen gateway acting for it) calls.

Every answer is HTTP 200 with a Qimen `<response>` (JSON when `format=json`): `success`, or
`failure` with a code and a message for a bad signature, an unknown customer, a stale
timestamp, an unknown method, malformed or hostile XML, a missing field, or anything the
warehouse cannot do. Never a 5xx: an ERP reads the flag, not the status.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from wms.adapters.db.uow import UnitOfWork
from wms.adapters.qimen import protocol
from wms.adapters.qimen.protocol import QimenFailure
from wms.services.platforms import erps, qimen

log = logging.getLogger("wms.qimen")
router = APIRouter()


def answer(uow_engine: Any, params: dict[str, str], body: bytes, fmt: str) -> bytes:
    """The whole call in one unit of work: checked, done, committed; or a failure and nothing saved."""
    try:
        with UnitOfWork(uow_engine) as uow:
            erp = erps.authenticate(uow, params, body)
            request = protocol.parse_body(body, fmt)
            fields = qimen.handle(uow, erp, params["method"], request)
            uow.commit()
    except QimenFailure as exc:
        return protocol.failure(exc.code, exc.message, fmt)
    except Exception:  # noqa: BLE001 - an ERP must get a Qimen answer, never a 500
        log.exception("qimen %s failed", params.get("method"))
        return protocol.failure("internal_error", "the warehouse could not process the call; it is logged, "
                                "send it again later", fmt)
    message = fields.pop("message", None) or "ok"
    return protocol.success(fmt, message, **{k: v for k, v in fields.items() if v is not None})


@router.post("/qimen", include_in_schema=False)
async def qimen_router(request: Request) -> Response:
    params = {k: v for k, v in request.query_params.items()}
    fmt = "json" if params.get("format", "xml").lower() == "json" else "xml"
    body = await request.body()
    content = await run_in_threadpool(answer, request.app.state.engine, params, body, fmt)
    media = "application/json" if fmt == "json" else "text/xml; charset=utf-8"
    return Response(content, status_code=200, media_type=media)
