"""Routes: today's statistics per campaign and batch (docs/api.md, "Today's statistics")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import results as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["statistics"])

    @operation(
        router,
        "statistics.statistics",
        query=schema.STATISTICS_QUERY,
        payload={"countDetail": {"type": "array", "items": {"type": "object"}}},
    )
    async def statistics(request: Request) -> JSONResponse:
        call = await accept(request, query=schema.STATISTICS_QUERY)
        campaign_id, batch_id = schema.statistics_request(call.query)
        entries = await call.run(call.services.statistics.today, call.vdn_id, campaign_id, batch_id)
        return ok(
            "query statistics success",
            countDetail=[schema.wire_statistics(entry, batch_id) for entry in entries],
        )

    return router
