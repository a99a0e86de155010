"""Blacklist file import interfaces (docs/api.md, "Blacklist file import"): fields and wire form."""

from __future__ import annotations

from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, TIME_FORMAT, Field, Schema
from .imports import UPLOAD

#: local upload (isales extension): the file travels in the body, like number files
UPLOAD_LOCAL: Schema = UPLOAD

_SCHEDULE = (
    Field("hour", "integer", minimum=0, maximum=23, description="scheduled import, 24h"),
    Field("minute", "integer", minimum=0, maximum=59, description="only with hour"),
)

FROM_SERVER: Schema = (
    Field("serverId", required=True, max_length=20, charset="0-9", key="server_id"),
    Field("filePath", max_length=255, key="file_path", description="relative to the server path"),
    Field("fileName", required=True, max_length=255, key="file_name"),
    *_SCHEDULE,
)

QUERY: Schema = (
    Field("offset", "integer", required=True, minimum=0, maximum=INT32_MAX),
    Field("limit", "integer", required=True, minimum=1, maximum=100),
)

#: errors listed per task in the answer (all are counted in failNum)
LISTED_ERRORS = 100


def schedule(body: dict[str, Any]) -> tuple[int | None, int | None]:
    """hour and minute: minute needs hour (02000010)."""
    if body["minute"] is not None and body["hour"] is None:
        raise InvalidParameter(ErrorCode.HOUR_MINUTE_TOGETHER, "minute is only valid with hour")
    return body["hour"], body["minute"]


def _time(value: Any) -> str:
    return value.strftime(TIME_FORMAT) if value is not None else ""


def wire_task(row: dict[str, Any]) -> dict[str, Any]:
    errors = row["errors"]
    return {
        "id": str(row["id"]),
        "beginTime": _time(row["started_at"]),
        "endTime": _time(row["finished_at"]),
        "status": row["status"],
        "succNum": row["success_rows"],
        "repeatNum": row["repeat_rows"],
        "failNum": row["failed_rows"],
        "errMsg": "; ".join(f"row {e['row']}: {e['code']} {e['desc']}" for e in errors[:10]),
        # isales extensions
        "fileName": row["file_name"],
        "totalRows": row["total_rows"],
        "createTime": _time(row["created_at"]),
        "errors": errors[:LISTED_ERRORS],
    }
