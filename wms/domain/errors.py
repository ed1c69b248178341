"""Errors the core raises; each carries a stable code that the API turns into a 4xx."""

from __future__ import annotations


class DomainError(Exception):
    """Base: `code` is machine-readable and stable; the message is for a person."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # extra fields of the answer, beside error and message
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class Invalid(DomainError):
    code = "invalid"
    status = 422


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Unauthorized(DomainError):
    """No valid credentials: an unknown, revoked or expired token, a wrong password."""

    code = "unauthorized"
    status = 401


class TooManyAttempts(DomainError):
    """Refused for now; `retry_after_s` says when to try again (the Retry-After header)."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, message: str, code: str | None = None, *, retry_after_s: int) -> None:
        super().__init__(message, code, retry_after_s=retry_after_s)
        self.retry_after_s = retry_after_s


class UnstorableValue(Invalid):
    """A value no field can hold (too long for its column, a control character, a number out
    of range): refused before the database sees it, the same on SQLite and PostgreSQL."""

    code = "bad_value"
