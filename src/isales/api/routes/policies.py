"""Routes: retry policies (reference §4.7)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import policies as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

RETRY_POLICY = "/rest/isales/v1/openapi/campaigns/{vdnId}/retryPolicy/{campaignId}"

_CODES = ["0200000", "0200001", "0200006", "0200007", "02000001-02000011"]
_POLICY = {
    "data": {
        "type": "object",
        "properties": {
            "retryPolicyId": {"type": "string", "description": "the campaign id"},
            "policyType": {"type": "integer"},
            "policyJson": {"type": "string"},
            "busiPolicy": {"type": "array", "items": {"type": "object"}},
        },
    }
}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["retry policies"])

    @router.post(RETRY_POLICY, **doc("Set a campaign's retry policy", _CODES, body=schema.SET))
    async def set_policy(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignId"), body=schema.SET)
        value = schema.stored_form(call.body)
        await call.run(
            call.services.policies.set_retry_policy, call.vdn_id, call.path["campaignId"], value
        )
        return ok("set retry policy succeeded")

    @router.get(RETRY_POLICY, **doc("Query a campaign's retry policy", _CODES, payload=_POLICY))
    async def get_policy(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignId"))
        stored = await call.run(
            call.services.policies.get_retry_policy, call.vdn_id, call.path["campaignId"]
        )
        return ok(
            "query retry policy success", data=schema.wire_policy(call.path["campaignId"], stored)
        )

    return router
