"""Routes: business-result write-back (reference §3.5)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...services.policies import BusinessResult
from ...wire.schemas import policies as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

CALL_BUSI_RESULT = "/rest/isales/v1/openapi/campaigns/{vdnId}/callBusiResult/{dataId}"

_CODES = [
    "0200000",
    "0200001",
    "0200006",
    "0200033",
    "0200034",
    "0200999",
    "02000001-02000011",
]


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["business"])

    @router.post(
        CALL_BUSI_RESULT,
        **doc("Write back a call's business result", _CODES, body=schema.WRITE_BACK),
    )
    async def write_back(request: Request, vdnId: str, dataId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "dataId"), body=schema.WRITE_BACK)
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
