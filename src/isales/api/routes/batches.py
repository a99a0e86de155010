"""Routes: call batches of a campaign (docs/api.md#call-batches)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...domain.batches import BatchStatus
from ...wire.schemas import batches as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["batches"])

    @operation(
        router,
        "batches.create",
        body=schema.CREATE,
        payload={"returnObject": {"type": "object", "properties": {"id": {"type": "string"}}}},
    )
    async def create(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.CREATE)
        status = BatchStatus(call.body["status"] or BatchStatus.PAUSED)
        batch_id = await call.run(
            call.services.batches.create,
            call.vdn_id,
            call.path["campaignId"],
            call.body["name"],
            status,
        )
        return ok("create batch succeeded", returnObject={"id": batch_id})

    @operation(
        router,
        "batches.query",
        body=schema.LIST,
        payload={
            "totalCount": {"type": "integer"},
            "data": {"type": "array", "items": {"type": "object"}},
        },
    )
    async def query(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.LIST)
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

    @operation(router, "batches.update", body=schema.UPDATE)
    async def update(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.UPDATE)
        await call.run(
            call.services.batches.rename,
            call.vdn_id,
            call.path["campaignId"],
            call.body["id"],
            call.body["name"],
        )
        return ok()

    def _change(kind: str) -> None:
        @operation(router, f"batches.{kind}_batch", body=schema.CHANGE)
        async def change(request: Request) -> JSONResponse:
            call = await accept(request, body=schema.CHANGE)
            await call.run(
                call.services.batches.change,
                call.vdn_id,
                call.path["campaignId"],
                call.body["id"],
                kind,
            )
            return ok()

        change.__name__ = f"{kind}_batch"

    _change("pause")
    _change("resume")

    @operation(
        router, "batches.delete", body=schema.DELETE, payload={"successCount": {"type": "integer"}}
    )
    async def delete(request: Request) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, body=schema.DELETE)
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
