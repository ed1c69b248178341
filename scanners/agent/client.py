"""Talking to the service, with every outcome sorted into "answered" or "try again later".

An `Answer` (2xx, or a 4xx about the request itself such as 409 wrong_item or 404
unknown_code) is the service's final word on that request. `ServiceUnavailable` means
the request may or may not have arrived and must be sent again: a network error, a
timeout, a 5xx, and also 401/403 (a wrong or revoked token is the station's setup
problem, not an answer about the event, so the events wait for a fixed token rather
than being thrown away), 408 and 429. A 401 token_expired is first answered by refreshing the
token (`tokens.TokenKeeper`) and sending the request once more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from scanners.agent.tokens import TokenKeeper

RETRY_STATUSES = {401, 403, 408, 425, 429}


class ServiceUnavailable(Exception):
    """No final answer: keep the request and send it again later. The text says why."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the JSON answer, or the text when it was not JSON

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> str | None:
        """The stable error code of a refusal (`wrong_item`), None for a success."""
        if self.ok:
            return None
        if isinstance(self.body, dict):
            return str(self.body.get("error") or f"http_{self.status}")
        return f"http_{self.status}"

    @property
    def message(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("message") or self.body.get("detail") or "")
        return str(self.body)[:300]


class ServiceClient:
    """POSTs to one service with the station's token (a fixed one, or the agent's TokenKeeper,
    which the clients of all threads share). Not shared between threads."""

    def __init__(self, url: str, token: str | TokenKeeper, timeout_s: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self._keeper = token if isinstance(token, TokenKeeper) else None
        self._token = token if isinstance(token, str) else ""
        self._http = httpx.Client(base_url=self.url, timeout=timeout_s)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Answer:
        """The service's final answer, or ServiceUnavailable (see module doc)."""
        token = self._keeper.token() if self._keeper else self._token
        response = self._send(path, body, token)
        if response.status_code == 401 and self._keeper and _code(response) == "token_expired":
            fresh = self._keeper.expired(token)
            if fresh != token:
                response = self._send(path, body, fresh)
        answer = Answer(response.status_code, _body(response))
        if response.status_code >= 500 or response.status_code in RETRY_STATUSES:
            refused = response.status_code in (401, 403)
            hint = " (check service.token in station.toml)" if refused else ""
            text = f"{self.url} answered {response.status_code} {answer.error}: {answer.message}"
            raise ServiceUnavailable(text.rstrip(": ") + hint)
        return answer

    def _send(self, path: str, body: dict[str, Any] | None, token: str) -> httpx.Response:
        try:
            return self._http.post(path, json=body if body is not None else {},
                                   headers={"Authorization": f"Bearer {token}"})
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(
                f"no answer from {self.url} in time ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"cannot reach {self.url}: {exc or type(exc).__name__}") from None

    def close(self) -> None:
        self._http.close()


def _code(response: httpx.Response) -> str | None:
    body = _body(response)
    return body.get("error") if isinstance(body, dict) else None


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text
