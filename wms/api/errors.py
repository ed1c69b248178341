"""Every error leaves as a JSON body `{"error": code, "message": text}`: a 4xx for anything
about the request; 503 with Retry-After when the database is locked by another program or
out of reach (nothing was saved; the same request, sent again, does it)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from wms.adapters.db.uow import is_retryable
from wms.domain.errors import DomainError, TooManyAttempts, Unauthorized

log = logging.getLogger("wms.api")

_HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "validation_error", 429: "too_many_requests",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": code, "message": message, **extra}


def _describe(err: dict) -> str:
    loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
    where = ".".join(loc) or "request"
    return f"{where}: {err.get('msg', 'invalid')}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, TooManyAttempts) else \
            {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return JSONResponse(error_body(exc.code, exc.message, **getattr(exc, "details", {})),
                            status_code=exc.status, headers=headers)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        fields = [".".join(str(p) for p in e.get("loc", ()) if p != "body") for e in errors]
        message = "; ".join(_describe(e) for e in errors[:5]) or "invalid request"
        return JSONResponse(error_body("validation_error", message, fields=fields), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return JSONResponse(error_body(code, message), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error answered as 409: %s", str(exc).splitlines()[0])
        return JSONResponse(error_body("conflict", "a concurrent change got there first; try again"),
                            status_code=409)

    @app.exception_handler(DataError)
    async def _data(_: Request, exc: DataError) -> JSONResponse:
        """A value the database cannot hold that no schema caught (a number out of range, text
        it refuses): the request's fault, so a 422, and nothing was saved."""
        log.warning("data error answered as 422: %s", str(exc).splitlines()[0])
        return JSONResponse(error_body("bad_value", "a value in the request cannot be stored "
                                       "(out of range or not valid text); nothing was saved"), status_code=422)

    @app.exception_handler(OperationalError)
    async def _database(_: Request, exc: OperationalError) -> JSONResponse:
        """The database is locked by someone else or out of reach: nothing was done, so the
        caller (a station agent keeps its events) sends the same request again later."""
        log.warning("database trouble answered as 503: %s", str(exc).splitlines()[0])
        if is_retryable(exc):
            body = error_body("database_busy", "the database is busy (locked by another program); "
                              "nothing was saved: send it again shortly")
        else:
            body = error_body("database_unavailable", "the database cannot be reached; nothing was saved: "
                              "send it again shortly")
        return JSONResponse(body, status_code=503, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return JSONResponse(error_body("internal_error", "the service failed; the error is logged"),
                            status_code=500)
