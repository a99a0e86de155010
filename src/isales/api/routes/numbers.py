"""Outbound numbers: add (v1, v2), query one, delete (the seed interface), history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ...config import Settings
from ...errors import ExpectedCountMismatch
from ...wire.schemas import numbers as schema
from ..envelope import envelope, ok
from ..openapi import doc
from ..request import accept

CALLDATA = "/rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}"
CALLDATA_V2 = "/rest/isales/v2/openapi/campaigns/{vdnId}/calldata/{campaignId}"

_ADD_CODES = [
    "0200000",
    "0200001",
    "0200006",
    "0200007",
    "0200018",
    "0200019",
    "0200020",
    "0200022",
    "0200029",
    "0200030",
    "02000001-02000011",
]
_ADD_PAYLOAD = {
    "returnObject": {
        "type": "object",
        "properties": {
            "totalSize": {
                "type": "integer",
                "description": "uncompleted numbers of the campaign now",
            },
            "dataIdList": {"type": "array", "items": {"type": "object"}},
            "datalist": {
                "type": "array",
                "description": "same list as dataIdList",
                "items": {"type": "object"},
            },
        },
    }
}
_DELETE_CODES = [
    "0200000",
    "0200001",
    "0200006",
    "0200007",
    "0200028",
    "0200030",
    "02000001-02000011",
    "0209001",
]


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["numbers"])
    add_v1_schema = schema.add_v1(settings)
    add_v2_schema = schema.add_v2(settings)

    async def _add(request: Request, body_schema, to_records, per_session: bool) -> JSONResponse:  # type: ignore[no-untyped-def]
        call = await accept(request, path=("vdnId", "campaignId"), body=body_schema)
        records = to_records(call.body)
        outcome = await call.run(
            call.services.numbers.add, call.vdn_id, call.path["campaignId"], records, per_session
        )
        listed = [
            {"called": record["called"], "dataId": str(data_id)}
            for record, data_id in zip(records, outcome.data_ids, strict=True)
        ]
        return ok(
            "create data succeeded",
            returnObject={
                "totalSize": outcome.uncompleted,
                "dataIdList": listed,
                "datalist": listed,
            },
        )

    @router.post(
        CALLDATA, **doc("Add numbers (v1)", _ADD_CODES, body=add_v1_schema, payload=_ADD_PAYLOAD)
    )
    async def add_v1(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        return await _add(request, add_v1_schema, schema.records_v1, per_session=False)

    @router.post(
        CALLDATA_V2,
        **doc(
            "Add numbers (v2)",
            [*_ADD_CODES, "03000004"],
            body=add_v2_schema,
            payload=_ADD_PAYLOAD,
        ),
    )
    async def add_v2(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        return await _add(request, add_v2_schema, schema.records_v2, per_session=True)

    @router.post(
        CALLDATA + "/delete",
        **doc(
            "Delete numbers (spec/delete-calldata.md)",
            _DELETE_CODES,
            body=schema.DELETE,
            payload={"successCount": {"type": "integer"}},
        ),
    )
    async def delete_numbers(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, path=("vdnId", "campaignId"), body=schema.DELETE)
        number_filter, archive = schema.delete_filter(call.body, call.services.settings.zone)
        try:
            outcome = await call.run(
                call.services.numbers.delete,
                call.vdn_id,
                call.path["campaignId"],
                number_filter,
                archive,
                call.principal.access_key,
                call.request_id,
                call.body["expectedCount"],
            )
        except ExpectedCountMismatch as mismatch:
            answer = envelope(mismatch.code, mismatch.message, successCount=0)
            return JSONResponse({**answer, "deletable": mismatch.deletable})
        return ok(outcome.describe(), successCount=outcome.removed)

    @router.post(
        CALLDATA + "/history",
        **doc(
            "Query numbers moved to history (isales extension)",
            ["0200000", "0200001", "0200006", "02000001-02000011"],
            body=schema.HISTORY_QUERY,
            payload={
                "totalCount": {"type": "integer"},
                "data": {"type": "array", "items": {"type": "object"}},
            },
        ),
    )
    async def history(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(
            request, path=("vdnId", "campaignId"), body=schema.HISTORY_QUERY, body_optional=True
        )
        filters = {k: v for k, v in call.body.items() if k not in ("pageNum", "pageSize")}
        total, rows = await call.run(
            call.services.numbers.history,
            call.vdn_id,
            call.path["campaignId"],
            filters,
            call.body["pageNum"] or 1,
            call.body["pageSize"] or 100,
        )
        return ok(
            "query history success", totalCount=total, data=[schema.wire_history(r) for r in rows]
        )

    @router.api_route(
        CALLDATA + "/delete", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False
    )
    async def delete_wrong_method(request: Request, vdnId: str, campaignId: str) -> None:
        raise HTTPException(405, "method not allowed", headers={"Allow": "POST"})

    @router.get(
        CALLDATA + "/{dataId}",
        **doc(
            "Query one number",
            ["0200000", "0200001", "0200006", "0200007", "0200033", "02000001-02000011"],
            payload={"data": {"type": "object"}},
        ),
    )
    async def query_one(request: Request, vdnId: str, campaignId: str, dataId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignId", "dataId"))
        data_id = call.path["dataId"]
        row = await call.run(
            call.services.numbers.get, call.vdn_id, call.path["campaignId"], data_id
        )
        return ok("query data success", data=schema.wire_number(row))

    return router
