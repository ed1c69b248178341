"""Refuse a request body larger than `max_body_bytes` (WMS_MAX_BODY_BYTES) with 413
`body_too_large`, before it is read into memory: by its Content-Length when it gives one, else
by counting as the body streams in. Nothing is saved, since the route never runs.

No body a station, a page or an import sends comes near the limit (a 10,000-order CSV is about
1 MB); a larger one is a mistake or an attack, and reading it whole would cost every worker's
memory. Pure ASGI, like `ServerTiming`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class _TooLarge(Exception):
    pass


def _refusal(limit: int) -> bytes:
    return json.dumps({"error": "body_too_large",
                       "message": f"the request body is larger than {limit} bytes; nothing was saved "
                                  "(split an import into smaller files)"}).encode()


class BodyLimit:
    def __init__(self, app: App, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._refuse(send)
                    return
        seen = 0
        refused = False

        async def counted_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not refused:
                    # Answer now: the app turns any error while reading into its own answer
                    # (FastAPI: 400), which watched_send then drops.
                    refused = True
                    await self._refuse(send)
                    raise _TooLarge
            return message

        async def watched_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _TooLarge:
            pass
        except Exception:
            if not refused:
                raise

    async def _refuse(self, send: Send) -> None:
        body = _refusal(self.max_bytes)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
