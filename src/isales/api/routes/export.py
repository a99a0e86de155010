"""Route: a campaign's live numbers page by page (isales extension; `isales numbers export`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import export as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["numbers"])

    @operation(
        router,
        "export.list_numbers",
        body=schema.LIST,
        payload={
            "data": {"type": "array", "items": {"type": "object"}},
            "nextAfterDataId": {
                "type": "string",
                "description": "afterDataId of the next page; absent after the last page",
            },
        },
    )
    async def list_numbers(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.LIST, body_optional=True)
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
