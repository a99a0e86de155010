"""Call batch interfaces (docs/api.md#call-batches): request fields and the batch's wire form."""

from __future__ import annotations

from typing import Any

from ..validation import INT32_MAX, Field, Schema

BATCH_NAME_FORBIDDEN = '<>!@#$%^&*?;"~/\\'

_ID = Field("id", required=True, max_length=64, description="the batch id from create")

_NAME = Field("name", required=True, max_length=255, forbidden=BATCH_NAME_FORBIDDEN)

CREATE: Schema = (
    _NAME,
    Field("status", "integer", choices=(1, 2), description="1 started, 2 paused (default)"),
)

LIST: Schema = (
    Field("status", "integer", choices=(1, 2)),
    Field("name", max_length=255, description="part of the name"),
    Field("offset", "integer", required=True, minimum=0, maximum=INT32_MAX),
    Field("limit", "integer", required=True, minimum=1, maximum=100),
)

CHANGE: Schema = (_ID,)

UPDATE: Schema = (_ID, _NAME)

DELETE: Schema = (
    _ID,
    Field("archiveHistory", "integer", choices=(0, 1), description="isales: 1 moves to history"),
)


def wire(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "status": row["status"]}
