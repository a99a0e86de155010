"""Unsigned routes for the people and systems that run isales: health, readiness, metrics, docs.

docs/operations.md#health-and-readiness. None of them shows tenant data.
"""

from __future__ import annotations

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from .. import metrics
from ..services import Services
from . import docs


def install(app: FastAPI, services: Services) -> None:
    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        reason = await run_in_threadpool(services.not_ready)
        if reason:
            return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)
        return JSONResponse({"status": "ready"})

    if services.settings.metrics:

        @app.get("/metrics", include_in_schema=False)
        async def scrape() -> Response:
            body, content_type = await run_in_threadpool(
                metrics.exposition, services.callbacks.outbox_waiting, services.agents.counts
            )
            return Response(body, media_type=content_type)

    docs.install(app)
