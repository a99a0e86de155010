"""Task-group import of numbers (cec_07_0768): fields and records."""

from __future__ import annotations

from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, Field, Schema
from .numbers import V2_RECORD, records_v2

#: Huawei's maximum per call for this interface (not configurable, unlike the v2 add)
MAX_PER_CALL = 20
DEFAULT_PRIORITY = 3

QUERY: Schema = (
    Field(
        "campaignGroupId",
        required=True,
        max_length=10,
        charset="0-9",
        key="group_id",
        description="the task group: a campaign of the VDN",
    ),
)

RECORD: Schema = (
    *V2_RECORD,
    Field("priority", "integer", minimum=1, maximum=5, description="1 highest … 5; default 3"),
)

BODY: Schema = (
    Field(
        "callDataList",
        "list",
        required=True,
        max_items=MAX_PER_CALL,
        too_many=ErrorCode.TOO_MANY_PER_CALL,
        item=Field("callDataList[]", "object", required=True, fields=RECORD),
    ),
)


def records(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The v2 records, with ``priority`` (default 3)."""
    added = records_v2({"batchId": None, "callDataList": body["callDataList"]})
    return [{**record, "priority": record["priority"] or DEFAULT_PRIORITY} for record in added]


def campaign_id(text: str, name: str) -> int:
    """A campaign id given as a String of digits (02000007 beyond the id range)."""
    number = int(text)
    if not 1 <= number <= INT32_MAX:
        raise InvalidParameter(ErrorCode.WRONG_VALUE, f"{name}: not a campaign id")
    return number
