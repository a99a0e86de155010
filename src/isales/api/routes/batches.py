"""Routes: call batches of a campaign (reference §5)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...domain.batches import BatchStatus
from ...wire.schemas import batches as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

CALLBATCH = "/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}"
_PATH = ("vdnId", "campaignId")
_BASE_CODES = ["0200000", "0200001", "0200006", "0200007", "02000001-02000011"]


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["batches"])

    @router.post(
        CALLBATCH + "/create",
        **doc(
            "Add a call batch to a campaign",
            [*_BASE_CODES, "0200005"],
            body=schema.CREATE,
            payload={"returnObject": {"type": "object", "properties": {"id": {"type": "string"}}}},
        ),
    )
    async def create(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=_PATH, body=schema.CREATE)
        status = BatchStatus(call.body["status"] or BatchStatus.PAUSED)
        batch_id = await call.run(
            call.services.batches.create,
            call.vdn_id,
            call.path["campaignId"],
            call.body["name"],
            status,
        )
        return ok("create batch succeeded", returnObject={"id": batch_id})

    @router.get(
        CALLBATCH + "/list",
        **doc(
            "Query the call batches of a campaign (a JSON body on GET, as Huawei's page)",
            _BASE_CODES,
            body=schema.LIST,
            payload={
                "totalCount": {"type": "integer"},
                "data": {"type": "array", "items": {"type": "object"}},
            },
        ),
    )
    async def query(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=_PATH, body=schema.LIST)
        total, rows = await call.run(
            call.services.batches.list,
            call.vdn_id,
            call.path["campaignId"],
            call.body["status"],
            call.body["name"],
            call.body["offset"],
            call.body["limit"],
        )
        return ok("query batch success", totalCount=total, data=[schema.wire(r) for r in rows])

    @router.post(
        CALLBATCH + "/update",
        **doc("Rename a call batch", [*_BASE_CODES, "0200005", "03000004"], body=schema.UPDATE),
    )
    async def update(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(request, path=_PATH, body=schema.UPDATE)
        await call.run(
            call.services.batches.rename,
            call.vdn_id,
            call.path["campaignId"],
            call.body["id"],
            call.body["name"],
        )
        return ok()

    def _change(operation: str, summary: str, codes: list[str]):  # type: ignore[no-untyped-def]
        @router.post(CALLBATCH + f"/{operation}", **doc(summary, codes, body=schema.CHANGE))
        async def change(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
            call = await accept(request, path=_PATH, body=schema.CHANGE)
            await call.run(
                call.services.batches.change,
                call.vdn_id,
                call.path["campaignId"],
                call.body["id"],
                operation,
            )
            return ok()

        change.__name__ = f"{operation}_batch"

    _change("pause", "Pause a call batch", [*_BASE_CODES, "03000002", "03000004", "03000006"])
    _change("resume", "Resume a call batch", [*_BASE_CODES, "0200011", "03000002", "03000004"])

    @router.post(
        CALLBATCH + "/delete",
        **doc(
            "Delete a call batch and its deletable numbers (the seed's rules)",
            [*_BASE_CODES, "0200028", "03000004"],
            body=schema.DELETE,
            payload={"successCount": {"type": "integer"}},
        ),
    )
    async def delete(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, path=_PATH, body=schema.DELETE)
        outcome = await call.run(
            call.services.batches.delete,
            call.vdn_id,
            call.path["campaignId"],
            call.body["id"],
            call.body["archiveHistory"] == 1,
            call.principal.access_key,
            call.request_id,
        )
        return ok(outcome.describe(), successCount=outcome.removed)

    return router
