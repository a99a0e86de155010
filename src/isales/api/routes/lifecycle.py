"""isales data-lifecycle interfaces (spec/lifecycle.md): preview, restore, erasure, rollback."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import lifecycle as schema
from ...wire.schemas import numbers as number_schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

CALLDATA = "/rest/isales/v1/openapi/campaigns/{vdnId}/calldata/{campaignId}"
ERASURE = "/rest/isales/v1/openapi/campaigns/{vdnId}/erasure"
ROLLBACK = "/rest/isales/v1/openapi/campaigns/{vdnId}/calldatafile/{campaignId}/rollback"

_KEPT = {"type": "object", "description": "numbers that would be kept, by state"}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["data lifecycle (isales)"])

    @router.post(
        CALLDATA + "/delete/preview",
        **doc(
            "Preview a delete: what the same body would delete and keep; changes nothing",
            ["0200000", "0200001", "0200006", "0200007", "0200030", "02000001-02000011"],
            body=number_schema.DELETE,
            payload={
                "matched": {"type": "integer"},
                "deletable": {"type": "integer"},
                "kept": _KEPT,
                "sample": {"type": "array", "items": {"type": "object"}},
            },
        ),
    )
    async def preview(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=("vdnId", "campaignId"), body=number_schema.DELETE)
        number_filter, _ = number_schema.delete_filter(call.body, call.services.settings.zone)
        result = await call.run(
            call.services.deletion.preview,
            call.vdn_id,
            call.path["campaignId"],
            number_filter,
        )
        return ok(
            "preview succeeded; nothing was changed",
            matched=result.matched,
            deletable=result.deletable,
            kept=schema.wire_kept(result.kept),
            sample=[schema.wire_sample(row) for row in result.sample],
        )

    @router.post(
        CALLDATA + "/history/restore",
        **doc(
            "Restore numbers from history, all or nothing",
            [
                "0200000",
                "0200001",
                "0200006",
                "0200007",
                "0200019",
                "0200020",
                "0200024",
                "0209003",
                "02000001-02000011",
            ],
            body=schema.RESTORE,
            payload={"successCount": {"type": "integer"}},
        ),
    )
    async def restore(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, path=("vdnId", "campaignId"), body=schema.RESTORE)
        data_ids, request_id = schema.restore_request(call.body)
        restored = await call.run(
            call.services.deletion.restore,
            call.vdn_id,
            call.path["campaignId"],
            data_ids,
            request_id,
            call.principal.access_key,
            call.request_id,
        )
        return ok(f"{restored} numbers restored", successCount=restored)

    @router.post(
        ROLLBACK,
        **doc(
            "Roll back a file import: remove the numbers it added that are still deletable",
            [
                "0200000",
                "0200001",
                "0200006",
                "0200007",
                "0200028",
                "0200033",
                "02000001-02000011",
            ],
            body=schema.ROLLBACK,
            payload={"successCount": {"type": "integer"}, "kept": _KEPT},
        ),
    )
    async def rollback(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, path=("vdnId", "campaignId"), body=schema.ROLLBACK)
        outcome = await call.run(
            call.services.deletion.rollback,
            call.vdn_id,
            call.path["campaignId"],
            call.body["taskId"],
            call.body["archiveHistory"] == 1,
            call.principal.access_key,
            call.request_id,
        )
        return ok(
            outcome.describe(), successCount=outcome.removed, kept=schema.wire_kept(outcome.kept)
        )

    @router.post(
        ERASURE,
        **doc(
            "Erase a person's number from the VDN and refuse it from now on",
            ["0200000", "0200001", "0200006", "0209004", "0209005", "02000001-02000011"],
            body=schema.ERASURE,
            payload={
                "erasureId": {"type": "string"},
                "removed": {"type": "object", "description": "rows removed, by kind"},
            },
        ),
    )
    async def erase(request: Request, vdnId: str) -> JSONResponse:
        call = await accept(request, body=schema.ERASURE)
        receipt = await call.run(
            call.services.erasure.erase,
            call.vdn_id,
            call.body["called"],
            call.principal.access_key,
            call.request_id,
        )
        return ok("erased", erasureId=receipt.erasure_id, removed=receipt.removed)

    return router
