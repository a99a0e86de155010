"""Routes: blacklist file imports and their result query (docs/api.md, "Blacklist file import")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import blackfile as schema
from ...wire.schemas.imports import file_content
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_TASK_PAYLOAD = {
    "returnObject": {
        "type": "object",
        "properties": {
            "taskId": {"type": "string"},
            "fileName": {"type": "string"},
            "status": {"type": "string", "description": "0 waiting"},
            "totalRows": {"type": "integer"},
        },
    }
}


def submitted(task_id: int, file_name: str, total: int) -> JSONResponse:
    return ok(
        "upload file succeeded",
        returnObject={
            "taskId": str(task_id),
            "fileName": file_name,
            "status": "0",
            "totalRows": total,
        },
    )


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["blacklist"])

    @operation(router, "blackfile.upload", body=schema.UPLOAD_LOCAL, payload=_TASK_PAYLOAD)
    async def upload(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.UPLOAD_LOCAL)
        content = file_content(call.body)
        task_id, total = await call.run_file_work(
            call.services.blacklist_imports.submit, call.vdn_id, call.body["fileName"], content
        )
        return submitted(task_id, call.body["fileName"], total)

    @operation(
        router,
        "blackfile.query",
        body=schema.QUERY,
        payload={
            "result": {"type": "array", "items": {"type": "object"}},
            "count": {"type": "integer"},
        },
    )
    async def query(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.QUERY)
        total, tasks = await call.run(
            call.services.blacklist_imports.page,
            call.vdn_id,
            call.body["offset"],
            call.body["limit"],
        )
        return ok("query data success", result=[schema.wire_task(t) for t in tasks], count=total)

    return router
