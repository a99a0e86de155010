"""Routes: special dates (holidays) of a campaign (reference §4.10)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import special_dates as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

HOLIDAY = "/rest/isales/v1/openapi/campaigns/{vdnId}/holiday/{campaignId}"
_PATH = ("vdnId", "campaignId")
_BASE_CODES = ["0200000", "0200001", "0200006", "0200007", "02000001-02000011"]


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["special_dates"])

    @router.post(
        HOLIDAY,
        **doc(
            "Add a special date (holiday) to a campaign",
            [*_BASE_CODES, "0200005", "0200030"],
            body=schema.ADD,
            payload={"returnObject": {"type": "object", "properties": {"id": {"type": "integer"}}}},
        ),
    )
    async def add(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=_PATH, body=schema.ADD)
        values = schema.to_columns(call.body)
        date_id = await call.run(
            call.services.special_dates.add, call.vdn_id, call.path["campaignId"], values
        )
        return ok("add holiday succeeded", returnObject={"id": date_id})

    @router.get(
        HOLIDAY,
        **doc(
            "Query the special dates of a campaign",
            _BASE_CODES,
            payload={"data": {"type": "array", "items": {"type": "object"}}},
        ),
    )
    async def query(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=_PATH)
        rows = await call.run(
            call.services.special_dates.list, call.vdn_id, call.path["campaignId"]
        )
        return ok("query holiday success", data=[schema.wire(row) for row in rows])

    @router.delete(
        HOLIDAY,
        **doc(
            "Delete a special date of a campaign",
            [*_BASE_CODES, "0200033"],
            body=schema.DELETE,
        ),
    )
    async def delete(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=_PATH, body=schema.DELETE)
        name, date_id = schema.delete_request(call.body)
        await call.run(
            call.services.special_dates.delete, call.vdn_id, call.path["campaignId"], name, date_id
        )
        return ok()

    return router
