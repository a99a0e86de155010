"""Routes: a campaign's calling numbers (docs/api.md#calling-numbers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import caller_numbers as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_PAYLOAD = {
    "returnObject": {
        "type": "object",
        "properties": {
            "callerNo": {
                "type": "array",
                "description": "the campaign's calling numbers now",
                "items": {"type": "object"},
            }
        },
    }
}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["caller_numbers"])

    @operation(router, "caller_numbers.add", body=schema.ADD, payload=_PAYLOAD)
    async def add(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.ADD)
        updated = await call.run(
            call.services.caller_numbers.add,
            call.vdn_id,
            call.path["campaignId"],
            schema.entries(call.body),
        )
        return ok("add callerNo succeeded", returnObject={"callerNo": updated})

    @operation(router, "caller_numbers.delete", body=schema.DELETE, payload=_PAYLOAD)
    async def delete(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.DELETE)
        updated = await call.run(
            call.services.caller_numbers.delete,
            call.vdn_id,
            call.path["campaignId"],
            [entry["accessCode"] for entry in call.body["callerNo"]],
        )
        return ok("delete callerNo succeeded", returnObject={"callerNo": updated})

    return router
