"""Routes: business-result write-back (docs/api.md#business-result-write-back)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...services.policies import BusinessResult
from ...wire.schemas import policies as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["business"])

    @operation(router, "business.write_back", body=schema.WRITE_BACK)
    async def write_back(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.WRITE_BACK)
        data_id = call.path["dataId"]
        body = call.body
        result = BusinessResult(
            busi_result=body["busiResult"],
            sub_status=body["subStatus"],
            busi_desc=body["busiResultDesc"],
            work_no=body["workNo"],
        )
        recalled_at = await call.run(
            call.services.policies.write_back, call.vdn_id, data_id, result
        )
        if recalled_at is None:
            return ok("write back business result succeeded")
        return ok("write back business result succeeded; the number is called again")

    return router
