"""Routes: call-result queries (reference §3.1, §3.2)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...store.results import ResultFilter
from ...wire.schemas import results as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

V1 = "/rest/isales/v1/openapi/campaigns/{vdnId}"

_QUERY_CODES = [
    "0200000",
    "0200001",
    "0200006",
    "0200007",
    "0200008",
    "0200009",
    "0200010",
    "0200011",
    "02000001-02000011",
]
_QUERY_PAYLOAD = {
    "totalCount": {"type": "integer", "description": "results matching, over all pages"},
    "data": {"type": "array", "items": {"type": "object"}},
}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["results"])

    @router.post(
        V1 + "/callresult/{campaignId}",
        **doc("Query call results", _QUERY_CODES, body=schema.QUERY, payload=_QUERY_PAYLOAD),
    )
    async def query(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(
            request, path=("vdnId", "campaignId"), body=schema.QUERY, body_optional=True
        )
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

    @router.get(
        V1 + "/callresultdetail/{callId}",
        **doc(
            "Query one call result",
            ["0200000", "0200001", "0200006", "0200033", "02000001-02000011"],
            payload={"data": {"type": "object"}},
        ),
    )
    async def detail(request: Request, vdnId: str, callId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "callId"))
        row = await call.run(call.services.results.detail, call.vdn_id, call.path["callId"])
        return ok("Query Success!", data=schema.wire_detail(row))

    return router
