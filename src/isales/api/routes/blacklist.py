"""Routes: the blacklist (reference §6)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import blacklist as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

BLOCKLIST = "/rest/isales/v1/openapi/campaigns/{vdnId}/blocklist"

_ADD_CODES = ["0200000", "0200001", "0200006", "0200007", "0200018", "0200029", "0200030"]
_QUERY_PAYLOAD = {
    "totalCount": {"type": "integer"},
    "data": {"type": "array", "items": {"type": "object"}},
}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["blacklist"])

    @router.post(
        BLOCKLIST + "/add",
        **doc("Add numbers to the blacklist", [*_ADD_CODES, "02000001-02000011"], body=schema.ADD),
    )
    async def add(request: Request, vdnId: str) -> JSONResponse:
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

    @router.post(
        BLOCKLIST + "/query",
        **doc(
            "Query the blacklist",
            ["0200000", "0200001", "0200006", "0200029", "02000001-02000011"],
            body=schema.QUERY,
            payload=_QUERY_PAYLOAD,
        ),
    )
    async def query(request: Request, vdnId: str) -> JSONResponse:
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

    @router.post(
        BLOCKLIST + "/delete",
        **doc(
            "Delete one number from the blacklist",
            ["0200000", "0200001", "0200006", "0200033", "02000001-02000011"],
            body=schema.DELETE_ONE,
        ),
    )
    async def delete_one(request: Request, vdnId: str) -> JSONResponse:
        call = await accept(request, body=schema.DELETE_ONE)
        await call.run(
            call.services.blacklist.delete,
            call.vdn_id,
            call.body["blocklistNo"],
            call.principal.access_key,
            call.request_id,
        )
        return ok()

    @router.delete(
        BLOCKLIST,
        **doc(
            "Delete the whole blacklist of the VDN",
            ["0200000", "0200001", "0200006", "02000001-02000011"],
        ),
    )
    async def delete_all(request: Request, vdnId: str) -> JSONResponse:
        call = await accept(request)
        removed = await call.run(
            call.services.blacklist.delete_all,
            call.vdn_id,
            call.principal.access_key,
            call.request_id,
        )
        return ok(f"{removed} numbers removed from the blacklist")

    return router
