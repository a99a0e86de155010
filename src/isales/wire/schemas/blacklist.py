"""Blacklist interfaces (docs/api.md#blacklist): fields, cross-field rules, wire form."""

from __future__ import annotations

from typing import Any

from ...domain.blacklist import HOUR
from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, PHONE_CHARS, TIME_FORMAT, Field, Schema

MAX_PER_CALL = 20


def _numbers(name: str, required: bool) -> Field:
    return Field(
        name,
        "list",
        required=required,
        max_items=MAX_PER_CALL,
        too_many=ErrorCode.TOO_MANY_PER_CALL,
        item=Field(f"{name}[]", required=True, max_length=24, charset=PHONE_CHARS),
    )


_CATEGORY = Field("relCategoryId", max_length=64, key="category_id")
_TYPE = Field("typeId", max_length=64, key="type_id")

ADD: Schema = (
    _numbers("blocklist", required=True),
    Field("validityExpirationTime", format="time", description="UTC; wins over validityTime"),
    Field("validityTime", "integer", minimum=1, maximum=120),
    Field(
        "validityTimeUnit",
        "integer",
        choices=(1, 2, 3, 4),
        description="1 year, 2 month, 3 day, 4 hour (default); only with validityTime",
    ),
    Field("restrictTimes", "integer", minimum=1, maximum=100, description="with restrictPeriod"),
    Field("restrictPeriod", choices=("0", "1"), description='"0" per hour, "1" per day'),
    _CATEGORY,
    _TYPE,
    Field(
        "isCoverDupNo",
        "integer",
        choices=(0, 1),
        description="absent: a valid entry refuses the request (0200007); 0 skip it; 1 overwrite",
    ),
)

QUERY: Schema = (
    _numbers("blocklist", required=False),
    Field("offset", "integer", minimum=0, maximum=INT32_MAX, description="with limit"),
    Field("limit", "integer", minimum=1, maximum=100, description="with offset"),
    _CATEGORY,
    _TYPE,
)

DELETE_ONE: Schema = (Field("blocklistNo", required=True, max_length=24, charset=PHONE_CHARS),)


def _invalid(code: ErrorCode, message: str) -> InvalidParameter:
    return InvalidParameter(code, message)


def add_request(body: dict[str, Any]) -> dict[str, Any]:
    """Cross-field rules of add; the entry's terms (validity is resolved by the service)."""
    if (body["restrictTimes"] is None) != (body["restrictPeriod"] is None):
        raise _invalid(ErrorCode.WRONG_COMBINATION, "restrictTimes and restrictPeriod go together")
    if body["validityTimeUnit"] is not None and body["validityTime"] is None:
        raise _invalid(
            ErrorCode.WRONG_COMBINATION, "validityTimeUnit is only valid with validityTime"
        )
    return {
        "expires_at": body["validityExpirationTime"],
        "validity": body["validityTime"],
        "validity_unit": body["validityTimeUnit"] or HOUR,
        "restrict_times": body["restrictTimes"],
        "restrict_period": body["restrictPeriod"],
        "category_id": body["category_id"],
        "type_id": body["type_id"],
    }


def query_request(body: dict[str, Any]) -> tuple[list[str] | None, int, int]:
    """Exactly one of ``blocklist`` or ``offset`` + ``limit``: (numbers or None, offset, limit)."""
    paging = (body["offset"], body["limit"])
    if body["blocklist"]:
        if paging != (None, None):
            raise _invalid(
                ErrorCode.WRONG_COMBINATION, "give blocklist, or offset and limit, not both"
            )
        return body["blocklist"], 0, MAX_PER_CALL
    if paging == (None, None):
        raise _invalid(ErrorCode.EMPTY, "give blocklist, or offset and limit")
    if None in paging:
        raise _invalid(ErrorCode.WRONG_COMBINATION, "offset and limit go together")
    return None, body["offset"], body["limit"]


def wire_entry(row: dict[str, Any]) -> dict[str, Any]:
    expires = row["expires_at"]
    return {
        "blockNum": row["number"],
        "validityExpirationTime": expires.strftime(TIME_FORMAT) if expires else "",
        "flag": row["valid"],
        "restrictTimes": row["restrict_times"],
        "restrictPeriod": row["restrict_period"] or "",
        "relCategoryId": row["category_id"] or "",
        "typeId": row["type_id"] or "",
    }
