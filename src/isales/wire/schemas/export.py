"""The number listing extension (isales): a campaign's live numbers, page by page, by dataId."""

from __future__ import annotations

from typing import Any

from ...domain.states import NumberState
from ..validation import TIME_FORMAT, Field, Schema

#: a page is at most this many numbers; the next page starts after the last dataId
MAX_LIST_PAGE = 5000

LIST: Schema = (
    Field("state", choices=tuple(s.value for s in NumberState), description="default: all"),
    Field("afterDataId", "integer", minimum=0, maximum=2**63 - 1, key="after", description="0"),
    Field("limit", "integer", minimum=1, maximum=MAX_LIST_PAGE, description="default 1000"),
)

#: the columns of a listed number, in the order the CSV export writes them
COLUMNS = (
    "dataId",
    "sessionId",
    "called",
    "caller",
    "customField",
    "recycleTime",
    "callData",
    "batchId",
    "status",
    "attempts",
    "createdAt",
)


def _time(value: Any) -> str:
    return value.strftime(TIME_FORMAT) if value is not None else ""


def wire_listed(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataId": str(row["id"]),
        "sessionId": row["session_id"] or "",
        "called": row["called"],
        "caller": row["caller"] or "",
        "customField": row["custom_field"] or "",
        "recycleTime": _time(row["recycle_time"]),
        "callData": row["call_data"] or "",
        "batchId": row["batch_id"] or "",
        "status": row["state"],
        "attempts": row["attempts"],
        "createdAt": _time(row["created_at"]),
    }
