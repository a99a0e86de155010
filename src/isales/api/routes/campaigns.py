"""Campaigns: create/modify (v1, v2), query one, list, pause, resume, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...domain.states import CampaignStatus
from ...wire.schemas import campaigns as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

router = APIRouter(tags=["campaigns"])


def build_router(settings: Settings) -> APIRouter:
    """The campaign interfaces take no settings: one router, built at import."""
    return router


_ID = {"returnObject": {"type": "object", "properties": {"id": {"type": "integer"}}}}


async def _create(request: Request, body_schema, api_version: int) -> JSONResponse:  # type: ignore[no-untyped-def]
    call = await accept(request, body=body_schema)
    columns = schema.to_columns(call.body)
    campaign_id = await call.run(
        call.services.campaigns.create,
        call.vdn_id,
        columns,
        call.body["initStatus"] or 0,
        api_version,
    )
    return ok("create campaign succeeded", returnObject={"id": campaign_id})


@operation(router, "campaigns.create_v1", body=schema.CREATE_V1, payload=_ID)
async def create_v1(request: Request) -> JSONResponse:
    return await _create(request, schema.CREATE_V1, 1)


@operation(router, "campaigns.create_v2", body=schema.CREATE_V2, payload=_ID)
async def create_v2(request: Request) -> JSONResponse:
    return await _create(request, schema.CREATE_V2, 2)


async def _modify(request: Request, body_schema, api_version: int) -> JSONResponse:  # type: ignore[no-untyped-def]
    call = await accept(request, body=body_schema)
    columns = schema.to_columns(call.body)
    await call.run(
        call.services.campaigns.modify, call.vdn_id, call.path["campaignId"], columns, api_version
    )
    return ok("modify campaign succeeded")


@operation(router, "campaigns.modify_v1", body=schema.CREATE_V1)
async def modify_v1(request: Request) -> JSONResponse:
    return await _modify(request, schema.CREATE_V1, 1)


@operation(router, "campaigns.modify_v2", body=schema.CREATE_V2)
async def modify_v2(request: Request) -> JSONResponse:
    return await _modify(request, schema.CREATE_V2, 2)


@operation(router, "campaigns.query_one", payload={"returnObject": {"type": "object"}})
async def query_one(request: Request) -> JSONResponse:
    call = await accept(request)
    row = await call.run(call.services.campaigns.get, call.vdn_id, call.path["campaignId"])
    return ok("query campaign success", returnObject=schema.wire(row))


_LIST_PAYLOAD = {
    name: {"type": "integer"}
    for name in ("curPage", "totalSize", "rowsPerPage", "curSkillQueueCount", "curIvrCount")
} | {"data": {"type": "array", "items": {"type": "object"}}}


@operation(router, "campaigns.list_campaigns", query=schema.LIST_QUERY, payload=_LIST_PAYLOAD)
async def list_campaigns(request: Request) -> JSONResponse:
    call = await accept(request, query=schema.LIST_QUERY)
    q = call.query
    page = max(q["curPage"] or 1, 1)
    rows_per_page = q["rowsPerPage"] or 10
    result = await call.run(
        call.services.campaigns.list,
        call.vdn_id,
        name=q["name"],
        status=CampaignStatus(q["status"]) if q["status"] else None,
        device_type=q["deviceType"] or None,
        begin_from=q["beginTime"],
        end_until=q["endTime"],
        page=page,
        rows_per_page=rows_per_page,
    )
    active = result.active_by_device
    return ok(
        "query campaigns success",
        curPage=page,
        totalSize=result.total,
        rowsPerPage=rows_per_page,
        curSkillQueueCount=sum(active.get(d, 0) for d in schema.SKILL_DEVICES),
        curIvrCount=sum(active.get(d, 0) for d in schema.IVR_DEVICES),
        data=[schema.wire_summary(row) for row in result.rows],
    )


@operation(router, "campaigns.pause")
async def pause(request: Request) -> JSONResponse:
    call = await accept(request)
    await call.run(call.services.campaigns.pause, call.vdn_id, call.path["campaignId"])
    return ok()


@operation(router, "campaigns.resume")
async def resume(request: Request) -> JSONResponse:
    call = await accept(request)
    await call.run(call.services.campaigns.resume, call.vdn_id, call.path["campaignId"])
    return ok()


@operation(router, "campaigns.delete", body=schema.DELETE)
async def delete(request: Request) -> JSONResponse:
    call = await accept(request, body=schema.DELETE, body_optional=True)
    await call.run(
        call.services.campaigns.delete,
        call.vdn_id,
        call.path["campaignId"],
        call.body["archiveHistory"] == 1,
        call.principal.access_key,
        call.request_id,
    )
    return ok()
