"""isales data-lifecycle interfaces: restore, erasure, import rollback.

The rules: docs/api.md#data-lifecycle-isales-extensions.
"""

from __future__ import annotations

from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import INT64_MAX, PHONE_CHARS, Field, Schema

MAX_RESTORE_IDS = 1000

RESTORE: Schema = (
    Field(
        "dataIds",
        "list",
        max_items=MAX_RESTORE_IDS,
        item=Field("dataIds[]", "integer", required=True, minimum=1, maximum=INT64_MAX),
        description="1-1000 dataIds of this campaign's history; or requestId, not both",
    ),
    Field("requestId", max_length=64, description="X-Request-Id of the delete that archived them"),
)


def restore_request(body: dict[str, Any]) -> tuple[list[int] | None, str | None]:
    data_ids, request_id = body["dataIds"], body["requestId"]
    if data_ids is not None and request_id is not None:
        raise InvalidParameter(ErrorCode.PARAMETER_ERROR, "give dataIds or requestId, not both")
    if not data_ids and request_id is None:
        raise InvalidParameter(ErrorCode.EMPTY, "give dataIds (1-1000 items) or requestId")
    return (list(dict.fromkeys(data_ids)) if data_ids is not None else None), request_id


ERASURE: Schema = (
    Field("called", required=True, max_length=24, charset=PHONE_CHARS, description="the number"),
)

ROLLBACK: Schema = (
    Field("taskId", "integer", required=True, minimum=1, maximum=INT64_MAX),
    Field("archiveHistory", "integer", choices=(0, 1), description="1 moves to history; default 0"),
)


def wire_sample(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataId": str(row["id"]),
        "called": row["called"],
        "sessionId": row["session_id"] or "",
        "customField": row["custom_field"] or "",
        "state": row["state"],
    }


#: number state -> its name in a preview's ``kept``
KEPT_NAMES = {"calling": "calling", "retry": "retrying", "completed": "completed"}


def wire_kept(kept: dict[str, int]) -> dict[str, int]:
    return {name: kept.get(state, 0) for state, name in KEPT_NAMES.items()}
