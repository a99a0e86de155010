"""Routes: campaign templates (docs/api.md#campaign-templates)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import templates as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_ID = {"returnObject": {"type": "object", "properties": {"id": {"type": "integer"}}}}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["templates"])

    @operation(router, "templates.create", body=schema.CREATE, payload=_ID)
    async def create(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.CREATE)
        columns = schema.to_columns(call.body)
        template_id = await call.run(call.services.templates.create, call.vdn_id, columns)
        return ok("create template succeeded", returnObject={"id": template_id})

    @operation(router, "templates.copy", body=schema.COPY, payload=_ID)
    async def copy(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.COPY)
        template_id = await call.run(call.services.templates.copy, call.vdn_id, call.body)
        return ok("copy template succeeded", returnObject={"id": template_id})

    @operation(
        router,
        "templates.query",
        query=schema.LIST_QUERY,
        payload={
            "data": {"type": "array", "items": {"type": "object"}},
            "offset": {"type": "integer"},
            "limit": {"type": "integer"},
            "totalSize": {"type": "integer"},
        },
    )
    async def query(request: Request) -> JSONResponse:
        call = await accept(request, query=schema.LIST_QUERY)
        total, rows = await call.run(
            call.services.templates.list,
            call.vdn_id,
            call.query["status"],
            call.query["name"],
            call.query["taskType"],
            call.query["offset"],
            call.query["limit"],
        )
        return ok(
            "query template success",
            data=[schema.wire_summary(row) for row in rows],
            offset=call.query["offset"],
            limit=call.query["limit"],
            totalSize=total,
        )

    @operation(router, "templates.update", body=schema.CREATE)
    async def update(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.CREATE)
        columns = schema.to_columns(call.body)
        await call.run(
            call.services.templates.update, call.vdn_id, call.path["campaignTemplateId"], columns
        )
        return ok("update template succeeded")

    @operation(router, "templates.query_one", payload={"returnObject": {"type": "object"}})
    async def query_one(request: Request) -> JSONResponse:
        call = await accept(request)
        row = await call.run(
            call.services.templates.get, call.vdn_id, call.path["campaignTemplateId"]
        )
        return ok("query template success", returnObject=schema.wire(row))

    return router
