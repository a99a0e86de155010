"""Routes: special dates (holidays) of a campaign (docs/api.md#special-dates)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import special_dates as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["special_dates"])

    @operation(
        router,
        "special_dates.add",
        body=schema.ADD,
        payload={"returnObject": {"type": "object", "properties": {"id": {"type": "integer"}}}},
    )
    async def add(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.ADD)
        values = schema.to_columns(call.body)
        date_id = await call.run(
            call.services.special_dates.add, call.vdn_id, call.path["campaignId"], values
        )
        return ok("add holiday succeeded", returnObject={"id": date_id})

    @operation(
        router,
        "special_dates.query",
        payload={"data": {"type": "array", "items": {"type": "object"}}},
    )
    async def query(request: Request) -> JSONResponse:
        call = await accept(request)
        rows = await call.run(
            call.services.special_dates.list, call.vdn_id, call.path["campaignId"]
        )
        return ok("query holiday success", data=[schema.wire(row) for row in rows])

    @operation(router, "special_dates.delete", body=schema.DELETE)
    async def delete(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.DELETE)
        name, date_id = schema.delete_request(call.body)
        await call.run(
            call.services.special_dates.delete, call.vdn_id, call.path["campaignId"], name, date_id
        )
        return ok()

    return router
