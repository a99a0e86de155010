"""Outbound numbers: add (v1, v2), query one, delete (the seed interface), history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ...config import Settings
from ...errors import ExpectedCountMismatch
from ...wire.schemas import numbers as schema
from ..envelope import envelope, ok
from ..openapi import operation
from ..request import accept

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


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["numbers"])
    add_v1_schema = schema.add_v1(settings)
    add_v2_schema = schema.add_v2(settings)

    async def _add(request: Request, body_schema, to_records, per_session: bool) -> JSONResponse:  # type: ignore[no-untyped-def]
        call = await accept(request, body=body_schema)
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

    @operation(router, "numbers.add_v1", body=add_v1_schema, payload=_ADD_PAYLOAD)
    async def add_v1(request: Request) -> JSONResponse:
        return await _add(request, add_v1_schema, schema.records_v1, per_session=False)

    @operation(router, "numbers.add_v2", body=add_v2_schema, payload=_ADD_PAYLOAD)
    async def add_v2(request: Request) -> JSONResponse:
        return await _add(request, add_v2_schema, schema.records_v2, per_session=True)

    @operation(
        router,
        "numbers.delete_numbers",
        body=schema.DELETE,
        payload={"successCount": {"type": "integer"}},
    )
    async def delete_numbers(request: Request) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, body=schema.DELETE)
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

    @operation(
        router,
        "numbers.history",
        body=schema.HISTORY_QUERY,
        payload={
            "totalCount": {"type": "integer"},
            "data": {"type": "array", "items": {"type": "object"}},
        },
    )
    async def history(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.HISTORY_QUERY, body_optional=True)
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

    @operation(router, "numbers.delete_wrong_method")
    async def delete_wrong_method(request: Request) -> None:
        raise HTTPException(405, "method not allowed", headers={"Allow": "POST"})

    @operation(router, "numbers.query_one", payload={"data": {"type": "object"}})
    async def query_one(request: Request) -> JSONResponse:
        call = await accept(request)
        data_id = call.path["dataId"]
        row = await call.run(
            call.services.numbers.get, call.vdn_id, call.path["campaignId"], data_id
        )
        return ok("query data success", data=schema.wire_number(row))

    return router
