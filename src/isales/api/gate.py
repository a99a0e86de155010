"""The gate: what every OpenAPI request must pass before its body is read.

In order: the declared body size against the interface's limit (413), one
``Authorization`` header (401), the access service's precheck of it: parsed, inside
the time window, naming an active key (401), and, for a large body (``LargeBodies``), a
free slot of the process and of the access key (429). A refused request has at most
``DRAIN_LIMIT`` bytes of its body read (for at most ``DRAIN_SECONDS``), and its connection
is closed. A passed request
carries the precheck in ``scope["state"]``; the full signature is verified once the body
is read (``request.accept``). Header limits and the read deadlines live one layer below,
in the connection (``api/server.py``).

Which POST interfaces change nothing (exempt from single-use signatures) and which take
large bodies are facts of the route table (``api/route_table.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..config import Settings
from ..errors import AuthError, FlowControlled, Unauthenticated
from ..services import Services
from ..wire.paths import OPENAPI_PREFIX, V1
from .body import SPOOL_THRESHOLD
from .envelope import refusal
from .route_table import ROUTES, Route, matching

log = logging.getLogger("isales.api")

__all__ = ["OPENAPI_PREFIX", "V1", "Gate", "body_limit", "changes_data", "refuse"]

#: body bytes read from a refused request before its connection is closed
DRAIN_LIMIT = 64 * 1024
#: how long a refused request's body is read at most: a client waiting before it sends its
#: body (or sending none) has its answer after this long
DRAIN_SECONDS = 1.0
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
    """Read and drop at most ``limit`` body bytes, for at most ``DRAIN_SECONDS`` (the
    connection is closed afterwards; what the client sent meanwhile is read, so closing
    does not reset the connection before the client read the answer)."""
    read = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            while read <= limit:
                message = await receive()
                if message["type"] != "http.request":
                    return
                read += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return


async def refuse(send: Send, status: int, message: str) -> None:
    """An error answer after which the server closes the connection (``envelope.refusal``)."""
    await refusal(status, message)({"type": "http"}, _nothing_to_receive, send)


async def _nothing_to_receive() -> Message:
    return {"type": "http.disconnect"}


def is_large(scope: Scope, lengths: list[bytes]) -> bool:
    """Whether a request's body may be spooled (``api/body.py``): declared (``lengths``,
    its Content-Length values, already checked to be digits) larger than
    ``SPOOL_THRESHOLD``, or of a size not declared (chunked)."""
    if lengths:
        return int(lengths[0]) > SPOOL_THRESHOLD
    return any(n == b"transfer-encoding" for n, _ in scope["headers"])


class LargeBodies:
    """How many large bodies this process receives at once, in all and per access key.

    A slot is taken before the body is read and given back when the request ends, however
    it ends. The key is the one the request names: it passed the precheck (an active key,
    a fresh timestamp), not yet the signature, so a sender who knows a key can hold that
    key's slots, never more than ``max_large_bodies`` of the process.
    """

    def __init__(self, at_once: int, per_key: int) -> None:
        self.at_once, self.per_key = at_once, per_key
        self.total = 0
        self.by_key: dict[str, int] = {}

    def take(self, access_key: str) -> FlowControlled | None:
        """Take a slot (None), or the refusal when none is free. Runs on the event loop."""
        if self.total >= self.at_once:
            return FlowControlled("too many large request bodies at once; try later")
        if self.by_key.get(access_key, 0) >= self.per_key:
            return FlowControlled(
                "too many large request bodies at once for this access key; try later"
            )
        self.total += 1
        self.by_key[access_key] = self.by_key.get(access_key, 0) + 1
        return None

    def give_back(self, access_key: str) -> None:
        self.total -= 1
        self.by_key[access_key] -= 1
        if not self.by_key[access_key]:
            del self.by_key[access_key]


class Gate:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app, self.services = app, services
        settings = services.settings
        self.large_bodies = LargeBodies(
            settings.max_large_bodies, settings.max_large_bodies_per_key
        )

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
        if not path.startswith(OPENAPI_PREFIX):
            await self.app(scope, receive, send)
            return
        refused: AuthError | FlowControlled | None = await self._precheck(scope)
        slot = None
        if refused is None and is_large(scope, lengths):
            precheck = scope["state"].get("precheck")
            slot = precheck.auth.access_key if precheck is not None else ""
            refused = self.large_bodies.take(slot)
            if refused is not None:
                slot = None
        if refused is not None:
            log.info("request %s refused: %s", scope["state"].get("request_id"), refused)
            await _drain(receive)
            await refuse(send, refused.http_status, refused.message)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            if slot is not None:
                self.large_bodies.give_back(slot)

    async def _precheck(self, scope: Scope) -> AuthError | None:
        values = [v for n, v in scope["headers"] if n == b"authorization"]
        if len(values) > 1:
            return Unauthenticated("more than one Authorization header")
        header = values[0].decode("latin-1") if values else None
        access = self.services.access
        try:
            # a key read in the last GRANT_CACHE_SECONDS is prechecked here, on the event
            # loop; any other one is read from the store (a thread)
            found = access.precheck_cached(header)
            if found is None:
                found = await run_in_threadpool(access.precheck, header)
            scope["state"]["precheck"] = found
        except AuthError as exc:
            return exc
        except Exception:  # a store failure: the application checks again and answers it
            return None
        return None
