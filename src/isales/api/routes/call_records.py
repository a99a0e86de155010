"""Routes: call records v1/v2 (``callRecord``) and fail-category statistics (cec_07_4014)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import call_records as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_RECORDS = {"recordList": {"type": "array", "items": {"type": "object"}}}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["call_records"])

    @operation(router, "call_records.records_v1", body=schema.RECORDS_V1, payload=_RECORDS)
    async def records_v1(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.RECORDS_V1)
        records = await call.run(
            call.services.call_records.records, call.vdn_id, call.body["callId"]
        )
        return ok("success", recordList=records)

    @operation(router, "call_records.records_v2", body=schema.RECORDS_V2, payload=_RECORDS)
    async def records_v2(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.RECORDS_V2)
        records = await call.run(
            call.services.call_records.records, call.vdn_id, call.body["callId"]
        )
        start = (call.body["page"] - 1) * call.body["limit"]
        return ok("success", recordList=records[start : start + call.body["limit"]])

    @operation(
        router,
        "call_records.fail_categories",
        query=schema.FAIL_CATEGORIES,
        payload={"data": {"type": "array", "items": {"type": "object"}}},
    )
    async def fail_categories(request: Request) -> JSONResponse:
        call = await accept(request, query=schema.FAIL_CATEGORIES)
        days = schema.fail_category_days(call.query)
        entries = await call.run(
            call.services.call_records.fail_categories,
            call.vdn_id,
            call.query["campaignId"],
            days,
        )
        return ok("success", data=[schema.wire_day(day, counts) for day, counts in entries])

    return router
