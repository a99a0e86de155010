"""The gate: what every OpenAPI request must pass before its body is read.

In order: the declared body size against the interface's limit (413), one
``Authorization`` header (401), and the access service's precheck of it: parsed, inside
the time window, naming an active key (401). A refused request has at most
``DRAIN_LIMIT`` bytes of its body read, and its connection is closed. A passed request
carries the precheck in ``scope["state"]``; the full signature is verified once the body
is read (``request.accept``). Header limits and the read deadlines live one layer below,
in the connection (``api/server.py``).

Which POST interfaces change nothing (exempt from single-use signatures) and which take
large bodies are facts of the route table (``api/route_table.py``).
"""

from __future__ import annotations

import functools
import logging

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Settings
from ..errors import AuthError, Unauthenticated
from ..services import Services
from ..wire.paths import OPENAPI_PREFIX, V1
from .route_table import ROUTES, Route, matching

log = logging.getLogger("isales.api")

__all__ = ["OPENAPI_PREFIX", "V1", "Gate", "body_limit", "changes_data", "refuse"]

#: body bytes read from a refused request before its connection is closed
DRAIN_LIMIT = 64 * 1024
#: views of the route table, under the names they had when the gate kept them itself
REPLAY_EXEMPT_POSTS: list[str] = [r.path for r in ROUTES if r.replay_exempt]
LARGE_BODIES: dict[str, str] = {r.path: r.large_body for r in ROUTES if r.large_body}


@functools.lru_cache(maxsize=4096)
def _routes_of(path: str) -> tuple[Route, ...]:
    return tuple(matching(path))


def changes_data(method: str, path: str) -> bool:
    """Whether a request's signature is single-use (route table: ``replay_exempt``)."""
    if method in ("GET", "HEAD"):
        return False
    return not (
        method == "POST" and any(r.replay_exempt and "POST" in r.methods for r in _routes_of(path))
    )


def body_limit(settings: Settings, path: str) -> int:
    """The body limit of a path (route table: ``large_body``), else ``max_body_bytes``."""
    for route in _routes_of(path):
        if route.large_body is not None:
            return int(getattr(settings, route.large_body))
    return settings.max_body_bytes


async def _drain(receive: Receive, limit: int = DRAIN_LIMIT) -> None:
    """Read and drop at most ``limit`` body bytes (the connection is closed afterwards)."""
    read = 0
    while read <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def refuse(send: Send, status: int, message: str) -> None:
    """An error answer after which the server closes the connection."""
    body = ('{"error":"' + message.replace('"', "'") + '"}').encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Gate:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app, self.services = app, services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        lengths = [v for n, v in scope["headers"] if n == b"content-length"]
        limit = body_limit(self.services.settings, path)
        if any(not v.isdigit() or int(v) > limit for v in lengths):
            await refuse(send, 413, f"request body larger than {limit} bytes")
            return
        if path.startswith(OPENAPI_PREFIX):
            refusal = await self._precheck(scope)
            if refusal is not None:
                log.info("request %s refused: %s", scope["state"].get("request_id"), refusal)
                await _drain(receive)
                await refuse(send, refusal.http_status, refusal.message)
                return
        await self.app(scope, receive, send)

    async def _precheck(self, scope: Scope) -> AuthError | None:
        values = [v for n, v in scope["headers"] if n == b"authorization"]
        if len(values) > 1:
            return Unauthenticated("more than one Authorization header")
        header = values[0].decode("latin-1") if values else None
        try:
            scope["state"]["precheck"] = await run_in_threadpool(
                self.services.access.precheck, header
            )
        except AuthError as exc:
            return exc
        except Exception:  # a store failure: the application checks again and answers it
            return None
        return None
