"""Routes: call-result queries (docs/api.md#call-results)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...store.results import ResultFilter
from ...wire.schemas import results as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_QUERY_PAYLOAD = {
    "totalCount": {"type": "integer", "description": "results matching, over all pages"},
    "data": {"type": "array", "items": {"type": "object"}},
}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["results"])

    @operation(router, "results.query", body=schema.QUERY, payload=_QUERY_PAYLOAD)
    async def query(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.QUERY, body_optional=True)
        filter_fields, offset, limit = schema.result_query(call.body, settings.zone)
        result_filter = ResultFilter(**filter_fields)
        total, rows = await call.run(
            call.services.results.query,
            call.vdn_id,
            call.path["campaignId"],
            result_filter,
            offset,
            limit,
        )
        return ok(
            "query call results success",
            totalCount=total,
            data=[schema.wire_result(row) for row in rows],
        )

    @operation(router, "results.detail", payload={"data": {"type": "object"}})
    async def detail(request: Request) -> JSONResponse:
        call = await accept(request)
        row = await call.run(call.services.results.detail, call.vdn_id, call.path["callId"])
        return ok("Query Success!", data=schema.wire_detail(row))

    return router
