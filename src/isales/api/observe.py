"""One access-log line and the request metrics for every request.

The rules: docs/operations.md#logs and docs/operations.md#metrics-get-metrics.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import metrics

log = logging.getLogger("isales.access")

#: envelopes start with resultCode, dialer answers with result (JSONResponse keeps dict order)
_RESULT = re.compile(rb'^\{"result(?:Code)?":"([0-9A-Za-z]{1,16})"')
#: an idle dialer's poll: nothing to dial, nothing claimed
_IDLE_POLL = re.compile(rb'"(?:resultData|taskData)":\[\]\}')
_QUIET_PATHS = ("/healthz", "/readyz", "/metrics")


class ObserveMiddleware:
    """Gives every request its id (``X-Request-Id``; history rows are stamped with it), then
    writes its access-log line and metrics when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        seen: dict[str, object] = {"status": 500, "code": None, "idle": False}

        async def observing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            elif message["type"] == "http.response.body" and seen["code"] is None:
                body = message.get("body", b"")
                found = _RESULT.match(body)
                seen["code"] = found.group(1).decode() if found else ""
                seen["idle"] = bool(_IDLE_POLL.search(body[-64:]))
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            self._record(scope, seen, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, seen: dict[str, object], seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        status = seen["status"]
        code = seen["code"] or str(status)
        method = scope["method"]
        metrics.REQUESTS.labels(route=route, method=method, result_code=code).inc()
        metrics.REQUEST_SECONDS.labels(route=route).observe(seconds)
        state = scope.get("state", {})
        fields = {
            "request_id": state.get("request_id", "-"),
            "method": method,
            "path": scope["path"],
            "status": status,
            "result_code": code,
            "access_key": state.get("access_key", "-"),
            "duration_ms": round(seconds * 1000, 1),
        }
        quiet = seen["idle"] or scope["path"] in _QUIET_PATHS
        log.log(
            logging.DEBUG if quiet else logging.INFO,
            "%(method)s %(path)s %(status)s %(result_code)s key=%(access_key)s "
            "%(duration_ms)sms id=%(request_id)s",
            fields,
            extra=fields,
        )
