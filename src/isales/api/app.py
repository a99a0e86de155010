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
from .route_table import BY_KEY
from .routes import ROUTERS

log = logging.getLogger("isales.api")


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


def include_routes(app: FastAPI, settings: Settings) -> None:
    """Register every router, then order the interfaces so that at each path segment a
    literal comes before a parameter (``…/{vdnId}/blocklist`` before ``…/{vdnId}/{campaignId}``):
    which handler answers never depends on the order routers are listed in."""
    handlers = [route for build in ROUTERS for route in build(settings).routes]
    keys = {route.endpoint.route_key for route in handlers}  # type: ignore[attr-defined]
    if keys != set(BY_KEY):
        raise RuntimeError(f"route table and handlers differ: {sorted(keys ^ set(BY_KEY))}")
    handlers.sort(key=lambda route: BY_KEY[route.endpoint.route_key].specificity())  # type: ignore[attr-defined]
    app.router.routes.extend(handlers)


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
    include_routes(app, settings)

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
    app.add_middleware(ObserveMiddleware)
    openapi.install(app)
    return app
