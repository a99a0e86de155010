"""Call records and fail-category statistics.

The rules: docs/api.md#call-records-and-fail-category-statistics.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import DATE_FORMAT, INT32_MAX, Field, Schema

_CALL_ID = Field("callId", required=True, max_length=64, description="from a call result")

RECORDS_V1: Schema = (_CALL_ID,)

RECORDS_V2: Schema = (
    _CALL_ID,
    Field("page", "integer", required=True, minimum=1, maximum=1000),
    Field("limit", "integer", required=True, minimum=1, maximum=100),
)

FAIL_CATEGORIES: Schema = (
    Field("campaignId", "integer", required=True, minimum=1, maximum=INT32_MAX),
    Field("startDate", max_length=10, description="yyyy-MM-dd; with endDate"),
    Field("endDate", max_length=10, description="yyyy-MM-dd; at most 30 days after startDate"),
)

MAX_SPAN_DAYS = 30


def _date(name: str, text: str) -> date:
    try:
        if len(text) != 10:
            raise ValueError(text)
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError as exc:
        raise InvalidParameter(
            ErrorCode.CONVERSION, f"{name}: must be a real date as yyyy-MM-dd"
        ) from exc


def fail_category_days(query: dict[str, Any]) -> tuple[date, date] | None:
    """(first, last) day asked for; None: today. Huawei lists only 0200001 and 020000xx here."""
    start, end = query["startDate"], query["endDate"]
    if (start is None) != (end is None):
        raise InvalidParameter(
            ErrorCode.WRONG_COMBINATION, "startDate and endDate must be given together"
        )
    if start is None:
        return None
    first, last = _date("startDate", start), _date("endDate", end)
    if last < first:
        raise InvalidParameter(ErrorCode.WRONG_COMBINATION, "endDate is before startDate")
    if (last - first).days > MAX_SPAN_DAYS:
        raise InvalidParameter(
            ErrorCode.WRONG_VALUE, f"endDate may be at most {MAX_SPAN_DAYS} days after startDate"
        )
    return first, last


def wire_day(day: date, counts: dict[str, int]) -> dict[str, Any]:
    return {"statDate": day.strftime(DATE_FORMAT), "failData": dict(sorted(counts.items()))}
