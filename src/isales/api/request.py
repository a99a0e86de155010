"""Accepting a request: the checks every OpenAPI interface runs, in the spec's order.

signature (401) → path parameters → VDN grant (403) → content type → body → the
interface's own rules (in the service). ``accept`` runs the first five.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from ..errors import ErrorCode, InvalidParameter
from ..services import Services
from ..services.access import Precheck, Principal, RequestGuard, SignedRequest
from ..wire.validation import Schema, path_integer, validate_body, validate_query
from . import idempotency
from .body import ReceivedBody
from .gate import body_limit, changes_data
from .route_table import BY_KEY, PATH_PATTERNS, PATH_RANGES

T = TypeVar("T")

#: threads that read uploaded files (their CPU work); see FileWork
FILE_WORKERS = 2


class FileWork:
    """Where uploaded files are read and checked: CPU work kept off the request threadpool,
    on ``FILE_WORKERS`` threads of its own, at most one file per access key at a time. A
    key that uploads many costly files waits for its own files only; the request threads,
    ``/readyz`` and other keys' uploads go on (docs/api.md#limits-and-protections)."""

    def __init__(self, workers: int = FILE_WORKERS) -> None:
        self.executor = ThreadPoolExecutor(workers, thread_name_prefix="isales-file")
        self.turns: dict[tuple[int, str], asyncio.Lock] = {}
        self.waiting: dict[tuple[int, str], int] = {}

    async def run(self, key: str, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        turn_of = (id(loop), key)  # a lock serves one event loop (tests run several servers)
        turn = self.turns.setdefault(turn_of, asyncio.Lock())
        self.waiting[turn_of] = self.waiting.get(turn_of, 0) + 1
        try:
            async with turn:
                return await loop.run_in_executor(self.executor, functools.partial(function, *args))
        finally:
            self.waiting[turn_of] -= 1
            if not self.waiting[turn_of]:  # forget idle keys: the table is as small as the queue
                del self.waiting[turn_of], self.turns[turn_of]


FILE_WORK = FileWork()

_JSON_TYPE = re.compile(r"^application/json\s*(;\s*charset\s*=\s*\"?utf-8\"?\s*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Call:
    """One accepted request: who sent it, for which VDN, with what."""

    services: Services
    principal: Principal
    request_id: str
    vdn_id: int
    path: dict[str, int]
    body: dict[str, Any]
    query: dict[str, Any]

    guard: RequestGuard

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a (blocking) service call off the event loop: the one thread hand-off of a
        request, whose transactions also finish its authentication (``RequestGuard``)."""
        return await run_in_threadpool(self.guard.run, function, *args, **kwargs)

    async def run_file_work(self, function: Callable[..., T], *args: Any) -> T:
        """Run a service call that reads an uploaded file on the file threads (FileWork);
        the request's authentication is finished first."""
        if not self.guard.settled:
            await run_in_threadpool(self.guard.settle)
        return await FILE_WORK.run(self.principal.access_key, function, *args)


async def settle(request: Request) -> None:
    """Finish the authentication of an accepted request whose service calls did not (an
    interface that answered without one, or failed before it): the route's wrapper calls
    this before the answer leaves (``openapi.operation``)."""
    guard: RequestGuard | None = getattr(request.state, "guard", None)
    if guard is not None and not guard.settled:
        await run_in_threadpool(guard.settle)


async def receive_body(request: Request, limit: int) -> ReceivedBody:
    """The body, hashed, in memory or spooled (``api/body.py``); the caller closes it."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, "request body too large")
    services: Services = request.app.state.services
    body = ReceivedBody(services.settings.spool_dir)
    try:
        await body.receive(request.stream(), limit)
    except BaseException:
        body.close()
        raise
    return body


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else request.url.path


async def accept(
    request: Request,
    *,
    body: Schema | None = None,
    body_optional: bool = False,
    query: Schema | None = None,
    vdn_in_body: bool = False,
    vdn_optional: bool = False,
) -> Call:
    services: Services = request.app.state.services
    request_id = request.state.request_id
    # the route table's limit, the one the gate enforced before the body was read
    received = await receive_body(request, body_limit(services.settings, request.url.path))
    try:
        authorization = request.headers.get("authorization")
        signed = SignedRequest(
            method=request.method,
            path=_raw_path(request),
            query_pairs=parse_qsl(request.url.query, keep_blank_values=True),
            headers=request.headers,
            payload_hash=received.sha256,
            authorization=authorization,
        )
        precheck: Precheck | None = getattr(request.state, "precheck", None)
        if precheck is None:  # the gate could not read the store: try again, here
            precheck = await run_in_threadpool(services.access.precheck, authorization)
        # the signature, on the event loop; the key's state and the single-use record are
        # read and written in the request's own transaction (RequestGuard)
        principal, guard = services.access.verify(
            signed, precheck, changes_data(request.method, request.url.path)
        )
        request.state.guard = guard
        # verified: only now is the body read into memory, once, from where it was kept
        raw = await run_in_threadpool(received.read) if received.spooled else received.read()
    finally:
        received.close()
    request.state.access_key = principal.access_key  # for the access log
    try:
        return await _checked(
            request,
            services,
            principal,
            guard,
            request_id,
            raw,
            received.sha256,
            body=body,
            body_optional=body_optional,
            query=query,
            vdn_in_body=vdn_in_body,
            vdn_optional=vdn_optional,
        )
    except Exception:
        await settle(request)  # a refused key or a replay is the answer, not this failure
        raise


async def _checked(
    request: Request,
    services: Services,
    principal: Principal,
    guard: RequestGuard,
    request_id: str,
    raw: bytes,
    body_sha256: str,
    *,
    body: Schema | None,
    body_optional: bool,
    query: Schema | None,
    vdn_in_body: bool,
    vdn_optional: bool,
) -> Call:
    """The checks after the signature: path parameters, VDN grant, content type, body."""

    path_values = {}
    for name in BY_KEY[request.scope["endpoint"].route_key].path_parameters:
        text = request.path_params[name]
        if name in PATH_RANGES:
            path_values[name] = path_integer(name, text, *PATH_RANGES[name])
        elif name in PATH_PATTERNS:
            pattern, rule = PATH_PATTERNS[name]
            if not pattern.match(text):
                raise InvalidParameter(ErrorCode.INVALID_CHARACTERS, f"{name}: {rule}")
            path_values[name] = text
        else:
            path_values[name] = text
    if not vdn_in_body:
        principal.require_vdn(path_values["vdnId"])

    content_type = request.headers.get("content-type", "")
    if not _JSON_TYPE.match(content_type.strip()):
        raise InvalidParameter(
            ErrorCode.PARAMETER_ERROR, "Content-Type must be application/json; charset=UTF-8"
        )
    idempotency_key = idempotency.key_of(request)
    body_values = validate_body(raw, body, optional=body_optional) if body is not None else {}
    if body is None and raw.strip() not in (b"", b"{}"):
        raise InvalidParameter(ErrorCode.PARAMETER_ERROR, "this interface takes no request body")
    query_values = (
        validate_query(parse_qsl(request.url.query, keep_blank_values=True), query)
        if query is not None
        else {}
    )
    if query is None and request.url.query:
        raise InvalidParameter(
            ErrorCode.PARAMETER_ERROR, "this interface takes no query parameters"
        )
    if vdn_in_body and vdn_optional and body_values["vdnId"] is None:
        vdn_id = 0  # an interface that touches no VDN's data (obs/business/interface)
    elif vdn_in_body:
        principal.require_vdn(body_values["vdnId"])
        vdn_id = body_values["vdnId"]
    else:
        vdn_id = path_values["vdnId"]
    if idempotency_key is not None:
        await settle(request)  # a replayed signature is refused before its key is looked at
        await idempotency.begin(
            request, services, idempotency_key, principal.access_key, vdn_id, body_sha256
        )
    return Call(
        services, principal, request_id, vdn_id, path_values, body_values, query_values, guard
    )
