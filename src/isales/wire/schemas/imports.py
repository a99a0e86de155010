"""File import interfaces (docs/api.md#file-import): the upload body and the task wire form."""

from __future__ import annotations

import binascii
import re
from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, INT64_MAX, TIME_FORMAT, Field, Schema

#: isales: 1 imports a file although an earlier import of the campaign had the same content
ALLOW_DUPLICATE_FILE = Field(
    "allowDuplicateFile",
    "integer",
    choices=(0, 1),
    key="allow_duplicate_file",
    description="isales: 1 imports a file already imported into the campaign; default 0",
)

UPLOAD: Schema = (
    Field("fileName", required=True, max_length=255, description="ends with .csv or .xlsx"),
    Field("fileContent", required=True, description="the file's bytes, base64"),
    ALLOW_DUPLICATE_FILE,
)

QUERY: Schema = (
    Field("offset", "integer", minimum=0, maximum=INT32_MAX, description="limit × (page − 1)"),
    Field("limit", "integer", minimum=1, maximum=100, description="tasks per page"),
    Field(
        "importTaskIds",
        "list",
        max_items=100,
        key="import_task_ids",
        description="Huawei's example body: only these tasks (with offset/limit)",
        item=Field("importTaskIds[]", required=True, max_length=64, charset="0-9"),
    ),
    Field("taskId", "integer", minimum=1, maximum=INT64_MAX, description="isales: one task"),
    Field("pageNum", "integer", minimum=1, maximum=10**9, description="isales: default 1"),
    Field("pageSize", "integer", minimum=1, maximum=1000, description="isales: default 100"),
)

_EXTENSION = ("taskId", "pageNum", "pageSize")


def huawei_paging(body: dict[str, Any]) -> tuple[int, int] | None:
    """Huawei's (offset, limit) when the request pages that way; None: the isales fields.

    offset and limit come together, and never with the isales extension fields;
    ``importTaskIds`` (Huawei's example body) belongs to this form.
    """
    if body["offset"] is None and body["limit"] is None and body["import_task_ids"] is None:
        return None
    for name in ("offset", "limit"):
        if body[name] is None:
            raise InvalidParameter(ErrorCode.EMPTY, f"{name}: is mandatory with offset/limit")
    mixed = [name for name in _EXTENSION if body[name] is not None]
    if mixed:
        raise InvalidParameter(
            ErrorCode.WRONG_COMBINATION,
            f"offset/limit cannot be combined with {', '.join(mixed)} (isales paging)",
        )
    return body["offset"], body["limit"]


def wanted_task_ids(body: dict[str, Any]) -> list[int] | None:
    """The tasks ``importTaskIds`` names, or None when it is absent (every task).

    Huawei's ids are digit strings; one beyond isales' ids names no task and matches none.
    """
    ids = body["import_task_ids"]
    if ids is None:
        return None
    return [int(text) for text in ids if 0 < int(text) <= INT64_MAX]


#: Huawei's DataImportTask status: 0 preparing, 1 running, 2 finished, 3 failed
HUAWEI_STATUS = {"pending": "0", "running": "1", "finished": "2", "failed": "3"}


def wire_huawei_task(row: dict[str, Any]) -> dict[str, Any]:
    """Huawei's DataImportTask; failNum counts failed rows other than duplicates and blacklisted."""
    return {
        "id": str(row["id"]),
        "beginTime": _time(row["created_at"]),
        "endTime": _time(row["finished_at"]),
        "status": HUAWEI_STATUS[row["status"]],
        "succNum": row["success_rows"],
        "repeatNum": row["repeat_rows"],
        "failNum": row["failed_rows"] - row["repeat_rows"] - row["black_rows"],
        "blackNum": row["black_rows"],
        "fileName": row["file_name"],
    }


#: the characters ``base64.b64decode(…, validate=True)`` accepts, padding only at the end
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_BLANK = re.compile(r"\s")


def file_content(body: dict[str, Any]) -> bytes:
    """The uploaded bytes; line breaks and blanks in the base64 text are ignored.

    ``base64.b64decode(text, validate=True)`` step by step, without its copy of the whole
    text as ASCII bytes (13 MB for a 500,000-row file): ``a2b_base64`` reads an ASCII
    ``str`` in place, and the text is only rebuilt when it holds blanks."""
    text = body["fileContent"]
    if _BLANK.search(text):
        text = "".join(text.split())
    try:
        if not _BASE64_TEXT.fullmatch(text):  # also refuses any non-ASCII character
            raise binascii.Error("Non-base64 digit found")
        return binascii.a2b_base64(text, strict_mode=True)
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
