"""Routes: retry policies (docs/api.md#retry-policies)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import policies as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

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

    @operation(router, "policies.set_policy", body=schema.SET)
    async def set_policy(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.SET)
        value = schema.stored_form(call.body)
        await call.run(
            call.services.policies.set_retry_policy, call.vdn_id, call.path["campaignId"], value
        )
        return ok("set retry policy succeeded")

    @operation(router, "policies.get_policy", payload=_POLICY)
    async def get_policy(request: Request) -> JSONResponse:
        call = await accept(request)
        stored = await call.run(
            call.services.policies.get_retry_policy, call.vdn_id, call.path["campaignId"]
        )
        return ok(
            "query retry policy success", data=schema.wire_policy(call.path["campaignId"], stored)
        )

    return router
