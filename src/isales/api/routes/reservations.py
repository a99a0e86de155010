"""Routes: reserved ("appointment") calls (docs/api.md, "Reserved calls")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...domain.reservations import appoint_id
from ...wire.schemas import reservations as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["reserved calls"])

    @operation(
        router,
        "reservations.create",
        body=schema.CREATE,
        payload={
            "returnObject": {
                "type": "object",
                "properties": {"appointId": {"type": "string"}, "id": {"type": "string"}},
            }
        },
    )
    async def create(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.CREATE)
        wanted = schema.create_request(call.body)
        row_id = await call.run(call.services.reservations.create, call.vdn_id, wanted)
        # Huawei's table names it appointId, its example id: answer both.
        new_id = str(appoint_id(row_id))
        return ok("create appoint succeeded", returnObject={"appointId": new_id, "id": new_id})

    @operation(router, "reservations.delete", body=schema.DELETE)
    async def delete(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.DELETE)
        await call.run(call.services.reservations.delete, call.vdn_id, call.body["appoint_id"])
        return ok("delete appoint succeeded")

    @operation(router, "reservations.update", body=schema.UPDATE)
    async def update(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.UPDATE)
        changes = {
            "user_account": call.body["user_account"],
            "work_no": call.body["work_no"],
            "appoint_at": schema.from_millis(call.body["appoint_time"]),
            "remark": call.body["remark"],
        }
        await call.run(
            call.services.reservations.modify, call.vdn_id, call.body["appoint_id"], changes
        )
        return ok("update appoint succeeded")

    @operation(
        router,
        "reservations.list_",
        body=schema.LIST,
        payload={
            "totalCount": {"type": "integer"},
            "data": {"type": "array", "items": {"type": "object"}},
        },
    )
    async def list_(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.LIST)
        filters = schema.list_filters(call.body)
        total, rows = await call.run(
            call.services.reservations.page,
            call.vdn_id,
            filters,
            call.body["offset"],
            call.body["limit"],
        )
        return ok(
            "query appoint success",
            totalCount=total,
            data=[schema.wire_reservation(row) for row in rows],
        )

    @operation(router, "reservations.update_result", body=schema.UPDATE_RESULT)
    async def update_result(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.UPDATE_RESULT)
        body = dict(call.body)
        appoint = body.pop("appoint_id")
        body["call_begin"] = schema.from_millis(body["call_begin"])
        body["call_end"] = schema.from_millis(body["call_end"])
        await call.run(call.services.reservations.update_result, call.vdn_id, appoint, body)
        return ok("update appoint result succeeded")

    return router
