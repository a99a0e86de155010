"""Routes: the blacklist (docs/api.md#blacklist)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import blacklist as schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_QUERY_PAYLOAD = {
    "totalCount": {"type": "integer"},
    "data": {"type": "array", "items": {"type": "object"}},
}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["blacklist"])

    @operation(router, "blacklist.add", body=schema.ADD)
    async def add(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.ADD)
        terms = schema.add_request(call.body)
        outcome = await call.run(
            call.services.blacklist.add,
            call.vdn_id,
            call.body["blocklist"],
            terms,
            call.body["isCoverDupNo"],
        )
        skipped = ", ".join(outcome.skipped)
        return ok(f"already blacklisted, skipped: {skipped}" if skipped else "")

    @operation(router, "blacklist.query", body=schema.QUERY, payload=_QUERY_PAYLOAD)
    async def query(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.QUERY)
        numbers, offset, limit = schema.query_request(call.body)
        total, rows = await call.run(
            call.services.blacklist.query,
            call.vdn_id,
            numbers,
            call.body["category_id"],
            call.body["type_id"],
            offset,
            limit,
        )
        return ok(
            "query blocklist success", totalCount=total, data=[schema.wire_entry(r) for r in rows]
        )

    @operation(router, "blacklist.delete_one", body=schema.DELETE_ONE)
    async def delete_one(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.DELETE_ONE)
        await call.run(
            call.services.blacklist.delete,
            call.vdn_id,
            call.body["blocklistNo"],
            call.principal.access_key,
            call.request_id,
        )
        return ok()

    @operation(router, "blacklist.delete_all")
    async def delete_all(request: Request) -> JSONResponse:
        call = await accept(request)
        removed = await call.run(
            call.services.blacklist.delete_all,
            call.vdn_id,
            call.principal.access_key,
            call.request_id,
        )
        return ok(f"{removed} numbers removed from the blacklist")

    return router
