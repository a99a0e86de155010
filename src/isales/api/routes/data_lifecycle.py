"""isales data-lifecycle interfaces: preview, restore, erasure, import rollback.

The rules: docs/api.md#data-lifecycle-isales-extensions.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import data_lifecycle as schema
from ...wire.schemas import numbers as number_schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_KEPT = {"type": "object", "description": "numbers that would be kept, by state"}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["data lifecycle (isales)"])

    @operation(
        router,
        "lifecycle.preview",
        body=number_schema.DELETE,
        payload={
            "matched": {"type": "integer"},
            "deletable": {"type": "integer"},
            "kept": _KEPT,
            "sample": {"type": "array", "items": {"type": "object"}},
        },
    )
    async def preview(request: Request) -> JSONResponse:
        call = await accept(request, body=number_schema.DELETE)
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

    @operation(
        router,
        "lifecycle.restore",
        body=schema.RESTORE,
        payload={"successCount": {"type": "integer"}},
    )
    async def restore(request: Request) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, body=schema.RESTORE)
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

    @operation(
        router,
        "lifecycle.rollback",
        body=schema.ROLLBACK,
        payload={"successCount": {"type": "integer"}, "kept": _KEPT},
    )
    async def rollback(request: Request) -> JSONResponse:
        request.state.error_payload = {"successCount": 0}
        call = await accept(request, body=schema.ROLLBACK)
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

    @operation(
        router,
        "lifecycle.erase",
        body=schema.ERASURE,
        payload={
            "erasureId": {"type": "string"},
            "removed": {"type": "object", "description": "rows removed, by kind"},
        },
    )
    async def erase(request: Request) -> JSONResponse:
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
