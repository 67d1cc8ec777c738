"""The only request log: method, route template, status, duration. Also the last line of defence for errors.

Query strings and concrete paths can carry identifiers (``/DetectedIssue?patient=Patient/123``), so the log
names the route template (``/Task/{task_id}``) instead, and uvicorn's own access log is switched off. An
exception nothing handled becomes a 500 OperationOutcome with no detail; the log gets its type and stack
frames, never its message (which may quote a value).
"""

from __future__ import annotations

import logging
import time
import traceback
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cdi.service.errors import internal_error

log = logging.getLogger("cdi.service.access")
UNMATCHED = "<unmatched>"


def route_template(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:  # noqa: BLE001 - the catch-all that keeps details out of the answer
            log.error(
                "unhandled %s on %s %s\n%s",
                type(exc).__name__,
                scope.get("method"),
                route_template(scope),
                "".join(traceback.format_tb(exc.__traceback__)).rstrip(),
            )
            if response_started:
                raise
            status = 500
            await internal_error()(scope, receive, send)
        finally:
            log.info(
                "%s %s %d %.1fms",
                scope.get("method"),
                route_template(scope),
                status,
                (time.perf_counter() - started) * 1000,
            )
