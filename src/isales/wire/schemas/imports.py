"""File import interfaces (reference §2.6): the upload body and the task wire form."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import INT64_MAX, TIME_FORMAT, Field, Schema

UPLOAD: Schema = (
    Field("fileName", required=True, max_length=255, description="ends with .csv or .xlsx"),
    Field("fileContent", required=True, description="the file's bytes, base64"),
)

QUERY: Schema = (
    Field("taskId", "integer", minimum=1, maximum=INT64_MAX, description="absent: list tasks"),
    Field("pageNum", "integer", minimum=1, maximum=10**9, description="default 1"),
    Field("pageSize", "integer", minimum=1, maximum=1000, description="default 100"),
)


def file_content(body: dict[str, Any]) -> bytes:
    """The uploaded bytes; line breaks and blanks in the base64 text are ignored."""
    try:
        return base64.b64decode("".join(body["fileContent"].split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidParameter(ErrorCode.CONVERSION, "fileContent: not base64") from exc


def _time(value) -> str:  # type: ignore[no-untyped-def]
    return value.strftime(TIME_FORMAT) if value is not None else ""


def wire_task(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "taskId": row["id"],
        "campaignId": row["campaign_id"],
        "fileName": row["file_name"],
        "status": row["status"],
        "totalRows": row["total_rows"],
        "successRows": row["success_rows"],
        "failedRows": row["failed_rows"],
        "createTime": _time(row["created_at"]),
        "finishTime": _time(row["finished_at"]),
    }


def wire_task_report(row: dict[str, Any], page: int, page_size: int) -> dict[str, Any]:
    """A task with one page of its error report."""
    start = (page - 1) * page_size
    return {
        **wire_task(row),
        "errorCount": len(row["errors"]),
        "errors": row["errors"][start : start + page_size],
    }
