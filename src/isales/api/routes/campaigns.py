"""Campaigns: create/modify (v1, v2), query one, list, pause, resume, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...domain.states import CampaignStatus
from ...wire.schemas import campaigns as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

router = APIRouter(tags=["campaigns"])

V1 = "/rest/isales/v1/openapi/campaigns/{vdnId}"
V2 = "/rest/isales/v2/openapi/campaigns/{vdnId}"
ONE = "/rest/isales/v1/openapi/campaigns/{vdnId}/{campaignId}"
ONE_V2 = "/rest/isales/v2/openapi/campaigns/{vdnId}/{campaignId}"

_CREATE_CODES = [
    "0200000",
    "0200001",
    "0200002",
    "0200005",
    "0200006",
    "02000001-02000011",
    "0200030",
]
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


@router.post(V1, **doc("Create a campaign (v1)", _CREATE_CODES, body=schema.CREATE_V1, payload=_ID))
async def create_v1(request: Request, vdnId: str) -> JSONResponse:
    return await _create(request, schema.CREATE_V1, 1)


@router.post(V2, **doc("Create a campaign (v2)", _CREATE_CODES, body=schema.CREATE_V2, payload=_ID))
async def create_v2(request: Request, vdnId: str) -> JSONResponse:
    return await _create(request, schema.CREATE_V2, 2)


async def _modify(request: Request, body_schema, api_version: int) -> JSONResponse:  # type: ignore[no-untyped-def]
    call = await accept(request, path=("vdnId", "campaignId"), body=body_schema)
    columns = schema.to_columns(call.body)
    await call.run(
        call.services.campaigns.modify, call.vdn_id, call.path["campaignId"], columns, api_version
    )
    return ok("modify campaign succeeded")


_MODIFY_CODES = [*_CREATE_CODES, "0200007", "0200016"]


@router.put(ONE, **doc("Modify a campaign (v1)", _MODIFY_CODES, body=schema.CREATE_V1))
async def modify_v1(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
    return await _modify(request, schema.CREATE_V1, 1)


@router.put(ONE_V2, **doc("Modify a campaign (v2)", _MODIFY_CODES, body=schema.CREATE_V2))
async def modify_v2(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
    return await _modify(request, schema.CREATE_V2, 2)


@router.get(
    ONE,
    **doc(
        "Query one campaign",
        ["0200000", "0200001", "0200006", "0200007", "02000001-02000011"],
        payload={"returnObject": {"type": "object"}},
    ),
)
async def query_one(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
    call = await accept(request, path=("vdnId", "campaignId"))
    row = await call.run(call.services.campaigns.get, call.vdn_id, call.path["campaignId"])
    return ok("query campaign success", returnObject=schema.wire(row))


_LIST_PAYLOAD = {
    name: {"type": "integer"}
    for name in ("curPage", "totalSize", "rowsPerPage", "curSkillQueueCount", "curIvrCount")
} | {"data": {"type": "array", "items": {"type": "object"}}}


@router.get(
    V1,
    **doc(
        "List campaigns",
        ["0200000", "0200001", "0200006", "02000001-02000011", "0200030"],
        query=schema.LIST_QUERY,
        payload=_LIST_PAYLOAD,
    ),
)
async def list_campaigns(request: Request, vdnId: str) -> JSONResponse:
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


_STATE_CODES = ["0200000", "0200001", "0200006", "0200007", "0200011", "02000001-02000011"]


@router.put(ONE + "/pause", **doc("Pause a campaign (from status 2)", _STATE_CODES))
async def pause(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
    call = await accept(request, path=("vdnId", "campaignId"))
    await call.run(call.services.campaigns.pause, call.vdn_id, call.path["campaignId"])
    return ok()


@router.put(ONE + "/resume", **doc("Resume a campaign (from status 3)", _STATE_CODES))
async def resume(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
    call = await accept(request, path=("vdnId", "campaignId"))
    await call.run(call.services.campaigns.resume, call.vdn_id, call.path["campaignId"])
    return ok()


@router.delete(
    ONE,
    **doc(
        "Delete a campaign (not while executing)",
        ["0200000", "0200001", "0200006", "0200007", "0200009", "0209004", "02000001-02000011"],
        body=schema.DELETE,
    ),
)
async def delete(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
    call = await accept(
        request, path=("vdnId", "campaignId"), body=schema.DELETE, body_optional=True
    )
    await call.run(
        call.services.campaigns.delete,
        call.vdn_id,
        call.path["campaignId"],
        call.body["archiveHistory"] == 1,
        call.principal.access_key,
        call.request_id,
    )
    return ok()
