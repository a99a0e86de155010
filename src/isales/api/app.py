"""The ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__, logs
from ..clock import Clock, system_clock
from ..config import Settings
from ..errors import IsalesError
from ..services import Services
from . import openapi, operations
from .envelope import error_response
from .gate import Gate
from .idempotency import IdempotencyMiddleware, StoredAnswer, replay_response
from .observe import ObserveMiddleware
from .request import new_request_id
from .routes import (
    batches,
    blackfile,
    blacklist,
    business,
    call_records,
    caller_numbers,
    campaigns,
    definitions,
    dialer,
    export,
    file_servers,
    imports,
    lifecycle,
    numbers,
    obs,
    policies,
    reservations,
    results,
    special_dates,
    statistics,
    templates,
)

log = logging.getLogger("isales.api")


class RequestIdMiddleware:
    """Gives every request an id (``X-Request-Id``); history rows are stamped with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        await self.app(scope, receive, send_with_id)


async def _every(seconds: float, job: Callable[[], object]) -> None:
    """Run a blocking job off the event loop every ``seconds``; a failure waits for the next."""
    while True:
        await asyncio.sleep(seconds)
        try:
            done = await run_in_threadpool(job)
            if done:
                log.info("%s: %s", getattr(job, "__qualname__", job), done)
        except Exception:
            log.exception("background job %s failed", getattr(job, "__qualname__", job))


async def _once(job: Callable[[], object]) -> None:
    try:
        done = await run_in_threadpool(job)
        if done:
            log.info("%s: %s", getattr(job, "__qualname__", job), done)
    except Exception:
        log.exception("start-up job %s failed", getattr(job, "__qualname__", job))


def app_from_environment() -> FastAPI:
    """The app of one ``isales serve --workers N`` process, with its parent's settings."""
    settings = Settings.from_environment()
    logs.setup(settings.log_format)
    return create_app(settings)


def create_app(settings: Settings | None = None, clock: Clock = system_clock) -> FastAPI:
    settings = settings or Settings()
    services = Services.build(settings, clock)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        jobs = [asyncio.create_task(_every(s, job)) for s, job in services.background_jobs()]
        jobs += [asyncio.create_task(_once(job)) for job in services.startup_jobs()]
        try:
            yield
        finally:
            for job in jobs:
                job.cancel()
            services.close()

    app = FastAPI(
        title="isales",
        version=__version__,
        description="Outbound-campaign server, wire-compatible with the Huawei CC-iSales OpenAPI. "
        "Every /rest/isales request is signed (auth-v2, see docs/api.md).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    # before campaigns: DELETE …/campaigns/{vdnId}/blocklist would match …/{vdnId}/{campaignId}
    app.include_router(blacklist.build_router(settings))
    # before campaigns and numbers: …/{vdnId}/erasure is not a campaign id, and
    # …/calldata/{campaignId}/delete/preview is not a number's dataId
    app.include_router(lifecycle.build_router(settings))
    # before campaigns too: GET …/{vdnId}/queryBusinessResults, …/failcategorystatistics
    # and …/template are not campaign ids
    app.include_router(definitions.build_router(settings))
    app.include_router(call_records.build_router(settings))
    app.include_router(templates.build_router(settings))
    for family_b in (
        blackfile,
        reservations,
        obs,
        file_servers,
    ):  # issue 12 part B, before campaigns too
        app.include_router(family_b.build_router(settings))
    app.include_router(campaigns.router)
    app.include_router(numbers.build_router(settings))
    app.include_router(dialer.build_router(settings))
    for part in (
        policies,
        business,
        results,
        statistics,
        special_dates,
        caller_numbers,
        imports,
        export,
        batches,
    ):
        app.include_router(part.build_router(settings))

    if settings.console:
        from ..console import build_console

        console = build_console(settings)
        console.state.services = services
        app.mount("/console", console)

    operations.install(app, services)

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return error_response(request, exc)

    app.add_exception_handler(Exception, handle)
    app.add_exception_handler(HTTPException, handle)
    app.add_exception_handler(IsalesError, handle)
    app.add_exception_handler(StoredAnswer, replay_response)
    app.add_middleware(IdempotencyMiddleware, services=services)
    app.add_middleware(Gate, services=services)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(ObserveMiddleware)
    openapi.install(app)
    return app
