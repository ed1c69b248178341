"""`Server-Timing: app;dur=<ms>` on every response: how long the service itself took.

A station (or a benchmark) can then tell the service's time from the network's and its
own; browsers show it in their developer tools. Pure ASGI, so it costs next to nothing.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from wms.adapters.db.engine import WRITER_TIMES

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class ServerTiming:
    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        writer = [0.0, 0.0]
        WRITER_TIMES.set(writer)

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                message["headers"] = [*message.get("headers", []),
                                      (b"server-timing", f"app;dur={took:.2f}, lock;dur={writer[0] * 1000:.2f}, "
                                                         f"write;dur={writer[1] * 1000:.2f}".encode())]
            await send(message)

        await self.app(scope, receive, timed_send)
