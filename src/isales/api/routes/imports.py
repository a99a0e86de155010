"""Routes: file import of numbers as an asynchronous task (reference §2.6)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ...config import Settings
from ...wire.schemas import imports as schema
from ..envelope import ok
from ..openapi import doc
from ..request import accept

FILES = "/rest/isales/v1/openapi/campaigns/{vdnId}/calldatafile"

_UPLOAD_CODES = [
    "0200000",
    "0200001",
    "0200006",
    "0200007",
    "0200029",
    "02000001-02000011",
]
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

    async def _upload(request: Request) -> JSONResponse:
        call = await accept(
            request,
            path=("vdnId", "campaignId"),
            body=schema.UPLOAD,
            max_body=settings.import_max_body_bytes,
        )
        content = schema.file_content(call.body)
        outcome = await call.run(
            call.services.imports.upload,
            call.vdn_id,
            call.path["campaignId"],
            call.body["fileName"],
            content,
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

    @router.post(
        FILES + "/upload/{campaignId}",
        **doc(
            "Import a number file: CSV or XLSX in the body, imported asynchronously",
            _UPLOAD_CODES,
            body=schema.UPLOAD,
            payload=_UPLOAD_PAYLOAD,
        ),
    )
    async def upload(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        return await _upload(request)

    @router.post(
        FILES + "/uploadFileServer/{campaignId}",
        **doc(
            "Import a number file (Huawei URL; the file travels in the body, no file server)",
            _UPLOAD_CODES,
            body=schema.UPLOAD,
            payload=_UPLOAD_PAYLOAD,
        ),
    )
    async def upload_file_server(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        return await _upload(request)

    @router.post(
        FILES + "/queryDataImportTask/{campaignId}",
        **doc(
            "Query file import tasks: Huawei's page (offset/limit), or one task with its "
            "error report, or the campaign's list (isales taskId/pageNum/pageSize)",
            ["0200000", "0200001", "0200006", "0200033", "02000001-02000011"],
            body=schema.QUERY,
            payload=_QUERY_PAYLOAD,
        ),
    )
    async def query(request: Request, vdnId: str, campaignId: str) -> JSONResponse:
        call = await accept(
            request, path=("vdnId", "campaignId"), body=schema.QUERY, body_optional=True
        )
        imports = call.services.imports
        paging = schema.huawei_paging(call.body)
        if paging is not None:
            offset, limit = paging
            total, tasks = await call.run(
                imports.list_tasks, call.vdn_id, call.path["campaignId"], offset, limit
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
