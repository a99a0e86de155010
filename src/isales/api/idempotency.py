"""Idempotency-Key on the HTTP side (docs/api.md, "Idempotency keys").

``accept`` (api/request.py) calls :func:`begin` once a request has passed every check
before its use case. A request that is to run is marked in its scope; the middleware then
stores the answer it sends, before sending it, so a duplicate can never see "running"
after the client has the answer. A replay is raised as :class:`StoredAnswer` and sent
byte for byte with ``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import json
import re

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ErrorCode, InvalidParameter
from ..services import Services
from ..services.idempotency import Fingerprint, Replay, Run

HEADER = "idempotency-key"
_HEADER_BYTES = HEADER.encode()
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}\Z")
_STATE_FIELD = "idempotency_run"
#: methods whose requests a key protects
KEYED_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


class StoredAnswer(Exception):  # noqa: N818 - not an error: the answer to send
    def __init__(self, replay: Replay) -> None:
        self.replay = replay
        super().__init__("replayed answer")


def replay_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StoredAnswer)
    replay = exc.replay
    return Response(
        content=replay.body.encode(),
        status_code=replay.status,
        media_type=replay.media_type,
        headers={"Idempotent-Replayed": "true"},
    )


def key_of(request: Request) -> str | None:
    """The request's key, checked (1-64 of A-Za-z0-9_-, else 0200001); None without one."""
    if request.method not in KEYED_METHODS:
        return None
    values = request.headers.getlist(HEADER)
    if not values:
        return None
    if len(values) > 1 or not _KEY.match(values[0]):
        raise InvalidParameter(
            ErrorCode.PARAMETER_ERROR, "Idempotency-Key: one value of 1-64 characters A-Za-z0-9_-"
        )
    return values[0]


async def begin(
    request: Request,
    services: Services,
    key: str,
    access_key: str,
    vdn_id: int | None,
    body_sha256: str,
) -> None:
    path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    if request.url.query:
        path = f"{path}?{request.url.query}"
    fingerprint = Fingerprint(access_key, key, request.method, path, body_sha256)
    outcome = await run_in_threadpool(services.idempotency.begin, fingerprint, vdn_id)
    if isinstance(outcome, Replay):
        raise StoredAnswer(outcome)
    request.state.idempotency_run = outcome


def _worth_keeping(status: int, body: bytes) -> bool:
    """A store failure changed nothing and may pass: its retry should run, not replay it."""
    if status >= 500:
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return True
    return not (isinstance(answer, dict) and answer.get("resultCode") == ErrorCode.DATABASE_ERROR)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app, self.services = app, services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in KEYED_METHODS
            or not any(name == _HEADER_BYTES for name, _ in scope["headers"])
        ):
            await self.app(scope, receive, send)  # no key: nothing to hold
            return
        held: list[Message] = []
        settled = False

        def run_of() -> Run | None:
            return scope.get("state", {}).get(_STATE_FIELD)

        async def hold_answer(message: Message) -> None:
            nonlocal settled
            if run_of() is None:
                await send(message)
                return
            held.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                status = held[0]["status"]
                headers = dict(held[0].get("headers", []))
                body = b"".join(m.get("body", b"") for m in held[1:])
                run = run_of()
                assert run is not None
                if _worth_keeping(status, body):
                    media = headers.get(b"content-type", b"application/json").decode("latin-1")
                    await run_in_threadpool(
                        self.services.idempotency.finish, run, status, media, body.decode()
                    )
                else:
                    await run_in_threadpool(self.services.idempotency.abandon, run)
                settled = True
                for message_ in held:
                    await send(message_)

        try:
            await self.app(scope, receive, hold_answer)
        except BaseException:
            run = run_of()
            if run is not None and not settled:
                await run_in_threadpool(self.services.idempotency.abandon, run)
            raise
