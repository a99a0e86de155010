"""Routes: campaign templates (reference §4.10)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import templates as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

TEMPLATE = "/rest/isales/v1/openapi/campaigns/{vdnId}/template"
_CODES = ["0200000", "0200001", "0200006", "02000001-02000011"]
_ID = {"returnObject": {"type": "object", "properties": {"id": {"type": "integer"}}}}


def build_router(settings: Settings) -> APIRouter:
    """Included before the campaigns router: ``GET …/{vdnId}/template`` is not a campaign."""
    router = APIRouter(tags=["templates"])

    @router.post(
        TEMPLATE,
        **doc("Add a campaign template", [*_CODES, "0200005"], body=schema.CREATE, payload=_ID),
    )
    async def create(request: Request, vdnId: str) -> JSONResponse:
        call = await accept(request, body=schema.CREATE)
        columns = schema.to_columns(call.body)
        template_id = await call.run(call.services.templates.create, call.vdn_id, columns)
        return ok("create template succeeded", returnObject={"id": template_id})

    @router.post(
        TEMPLATE + "/copy",
        **doc(
            "Add a campaign template from a campaign or a template",
            [*_CODES, "0200005", "0200007"],
            body=schema.COPY,
            payload=_ID,
        ),
    )
    async def copy(request: Request, vdnId: str) -> JSONResponse:
        call = await accept(request, body=schema.COPY)
        template_id = await call.run(call.services.templates.copy, call.vdn_id, call.body)
        return ok("copy template succeeded", returnObject={"id": template_id})

    @router.get(
        TEMPLATE,
        **doc(
            "Query the campaign templates of a VDN",
            _CODES,
            query=schema.LIST_QUERY,
            payload={
                "data": {"type": "array", "items": {"type": "object"}},
                "offset": {"type": "integer"},
                "limit": {"type": "integer"},
                "totalSize": {"type": "integer"},
            },
        ),
    )
    async def query(request: Request, vdnId: str) -> JSONResponse:
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

    @router.put(
        TEMPLATE + "/{campaignTemplateId}/update",
        **doc(
            "Modify a campaign template (its device type stays)",
            [*_CODES, "0200005", "0200007"],
            body=schema.CREATE,
        ),
    )
    async def update(request: Request, vdnId: str, campaignTemplateId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignTemplateId"), body=schema.CREATE)
        columns = schema.to_columns(call.body)
        await call.run(
            call.services.templates.update, call.vdn_id, call.path["campaignTemplateId"], columns
        )
        return ok("update template succeeded")

    @router.get(
        TEMPLATE + "/{campaignTemplateId}",
        **doc(
            "Query one campaign template",
            [*_CODES, "0200007"],
            payload={"returnObject": {"type": "object"}},
        ),
    )
    async def query_one(request: Request, vdnId: str, campaignTemplateId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignTemplateId"))
        row = await call.run(
            call.services.templates.get, call.vdn_id, call.path["campaignTemplateId"]
        )
        return ok("query template success", returnObject=schema.wire(row))

    return router
