"""Route: a campaign's live numbers page by page (isales extension; `isales numbers export`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import export as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

CALLDATA = "/rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}"


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["numbers"])

    @router.post(
        CALLDATA + "/list",
        **doc(
            "List a campaign's numbers after a dataId, in dataId order (isales extension)",
            ["0200000", "0200001", "0200006", "0200007", "02000001-02000011"],
            body=schema.LIST,
            payload={
                "data": {"type": "array", "items": {"type": "object"}},
                "nextAfterDataId": {
                    "type": "string",
                    "description": "afterDataId of the next page; absent after the last page",
                },
            },
        ),
    )
    async def list_numbers(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(
            request, path=("vdnId", "campaignId"), body=schema.LIST, body_optional=True
        )
        limit = call.body["limit"] or 1000
        rows = await call.run(
            call.services.numbers.list_page,
            call.vdn_id,
            call.path["campaignId"],
            call.body["state"],
            call.body["after"] or 0,
            limit,
        )
        page: dict[str, Any] = {"data": [schema.wire_listed(row) for row in rows]}
        if len(rows) == limit:
            page["nextAfterDataId"] = str(rows[-1]["id"])
        return ok("query data success", **page)

    return router
