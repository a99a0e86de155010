"""Routes: file import of numbers as an asynchronous task (docs/api.md#file-import)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import file_servers as server_schema
from ...wire.schemas import imports as schema
from ...wire.validation import Schema
from ..envelope import ok
from ..openapi import operation
from ..request import accept

_UPLOAD_PAYLOAD = {
    "returnObject": {
        "type": "object",
        "properties": {
            "taskId": {"type": "integer"},
            "fileName": {"type": "string"},
            "status": {"type": "string", "description": "pending"},
            "totalRows": {"type": "integer", "description": "data rows of the file"},
        },
    }
}
_QUERY_PAYLOAD = {
    "count": {"type": "integer", "description": "with offset/limit: tasks of the campaign"},
    "result": {
        "type": "array",
        "description": "with offset/limit: Huawei's DataImportTask list, newest first",
        "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "beginTime": {"type": "string"},
                "endTime": {"type": "string"},
                "status": {"type": "string", "enum": ["0", "1", "2", "3"]},
                "succNum": {"type": "integer"},
                "repeatNum": {"type": "integer"},
                "failNum": {"type": "integer"},
                "blackNum": {"type": "integer"},
                "fileName": {"type": "string"},
            },
        },
    },
    "returnObject": {"type": "object", "description": "with taskId: the task and a page of errors"},
    "totalCount": {"type": "integer", "description": "without taskId: tasks of the campaign"},
    "data": {"type": "array", "items": {"type": "object"}, "description": "without taskId"},
}


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(tags=["imports"])

    async def _upload(request: Request, body: Schema = schema.UPLOAD) -> JSONResponse:
        call = await accept(
            request,
            body=body,
        )
        server_id = server_schema.import_source(call.body) if body is not schema.UPLOAD else None
        if server_id is None:
            content = schema.file_content(call.body)
        else:  # Huawei's form: the file is on one of the VDN's file servers
            content = await call.run(
                call.services.file_servers.fetch,
                call.vdn_id,
                server_id,
                call.body["file_path"],
                call.body["fileName"],
            )
        outcome = await call.run_file_work(
            call.services.imports.upload,
            call.vdn_id,
            call.path["campaignId"],
            call.body["fileName"],
            content,
            call.body["allow_duplicate_file"] == 1,
        )
        return ok(
            "upload file succeeded",
            returnObject={
                "taskId": outcome.task_id,
                "fileName": call.body["fileName"],
                "status": "pending",
                "totalRows": outcome.total_rows,
            },
        )

    @operation(router, "imports.upload", body=schema.UPLOAD, payload=_UPLOAD_PAYLOAD)
    async def upload(request: Request) -> JSONResponse:
        return await _upload(request)

    @operation(
        router,
        "imports.upload_file_server",
        body=server_schema.NUMBER_IMPORT,
        payload=_UPLOAD_PAYLOAD,
    )
    async def upload_file_server(request: Request) -> JSONResponse:
        return await _upload(request, server_schema.NUMBER_IMPORT)

    @operation(router, "imports.query", body=schema.QUERY, payload=_QUERY_PAYLOAD)
    async def query(request: Request) -> JSONResponse:
        call = await accept(request, body=schema.QUERY, body_optional=True)
        imports = call.services.imports
        paging = schema.huawei_paging(call.body)
        if paging is not None:
            offset, limit = paging
            total, tasks = await call.run(
                imports.list_tasks,
                call.vdn_id,
                call.path["campaignId"],
                offset,
                limit,
                schema.wanted_task_ids(call.body),
            )
            return ok(
                "query data success",
                count=total,
                result=[schema.wire_huawei_task(t) for t in tasks],
            )
        page, page_size = call.body["pageNum"] or 1, call.body["pageSize"] or 100
        if call.body["taskId"] is not None:
            task = await call.run(
                imports.get_task, call.vdn_id, call.path["campaignId"], call.body["taskId"]
            )
            return ok(
                "query data success", returnObject=schema.wire_task_report(task, page, page_size)
            )
        total, tasks = await call.run(
            imports.list_tasks,
            call.vdn_id,
            call.path["campaignId"],
            (page - 1) * page_size,
            page_size,
        )
        return ok("query data success", totalCount=total, data=[schema.wire_task(t) for t in tasks])

    return router
