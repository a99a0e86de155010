"""Routes: a campaign's calling numbers (reference §4.8)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import caller_numbers as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

CALLER_NO = "/rest/isales/v1/openapi/campaigns/{vdnId}/callerNo/{campaignId}"

_CODES = ["0200000", "0200001", "0200006", "0200007", "0200018", "0200029", "02000001-02000011"]
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

    @router.post(
        CALLER_NO,
        **doc(
            "Add calling numbers to a campaign",
            [*_CODES, "0200020"],
            body=schema.ADD,
            payload=_PAYLOAD,
        ),
    )
    async def add(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignId"), body=schema.ADD)
        updated = await call.run(
            call.services.caller_numbers.add,
            call.vdn_id,
            call.path["campaignId"],
            schema.entries(call.body),
        )
        return ok("add callerNo succeeded", returnObject={"callerNo": updated})

    @router.delete(
        CALLER_NO,
        **doc(
            "Delete calling numbers of a campaign (one must remain)",
            _CODES,
            body=schema.DELETE,
            payload=_PAYLOAD,
        ),
    )
    async def delete(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignId"), body=schema.DELETE)
        updated = await call.run(
            call.services.caller_numbers.delete,
            call.vdn_id,
            call.path["campaignId"],
            [entry["accessCode"] for entry in call.body["callerNo"]],
        )
        return ok("delete callerNo succeeded", returnObject={"callerNo": updated})

    return router
