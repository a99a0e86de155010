"""Special-date (holiday) interfaces (docs/api.md#special-dates): fields, rules, wire form.

Stored as given: ``week`` (type 1) like ``"6,7"`` with 1 = Monday … 7 = Sunday; ``begin`` /
``end`` as ``yyyy-MM-dd`` (type 2) or ``MM-dd`` (type 3, every year), begin ≤ end.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...errors import ErrorCode, InvalidParameter
from ..validation import INT32_MAX, Field, Schema

BY_WEEK, BY_DATE, YEARLY = 1, 2, 3
#: type -> (format shown, its pattern, the year put before it to read it as yyyy-MM-dd)
_DATE_FORMS = {
    BY_DATE: ("yyyy-MM-dd", re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"), ""),
    YEARLY: ("MM-dd", re.compile(r"^[0-9]{2}-[0-9]{2}\Z"), "2000-"),  # a leap year: 02-29 is real
}

ADD: Schema = (
    Field("name", required=True, max_length=30, description="unique in the campaign"),
    Field(
        "type", "integer", required=True, choices=(1, 2, 3), description="1 week, 2 date, 3 yearly"
    ),
    Field("week", max_length=13, charset="1-7,", description='type 1: "6,7"; 1 Monday … 7 Sunday'),
    Field("beginTime", max_length=10, description="type 2 yyyy-MM-dd, type 3 MM-dd"),
    Field("endTime", max_length=10, description="type 2 yyyy-MM-dd, type 3 MM-dd"),
)

DELETE: Schema = (
    Field("name", max_length=30, description="this, or id"),
    Field("id", "integer", minimum=1, maximum=INT32_MAX, description="this, or name"),
)


def _invalid(code: ErrorCode, message: str) -> InvalidParameter:
    return InvalidParameter(code, message)


def _week(text: str) -> None:
    days = text.split(",")
    if any(len(day) != 1 for day in days) or len(set(days)) != len(days):
        raise _invalid(
            ErrorCode.WRONG_VALUE, "week: distinct days 1 (Monday) to 7 (Sunday), comma-separated"
        )


def _date(kind: int, name: str, text: str) -> None:
    label, pattern, year = _DATE_FORMS[kind]
    try:
        if not pattern.match(text):
            raise ValueError(text)
        datetime.strptime(year + text, "%Y-%m-%d")
    except ValueError as exc:
        raise _invalid(ErrorCode.TIME_FORMAT, f"{name}: must be a real date as {label}") from exc


def to_columns(body: dict[str, Any]) -> dict[str, Any]:
    """Cross-field rules per ``type``, then the store's columns."""
    kind, week, begin, end = body["type"], body["week"], body["beginTime"], body["endTime"]
    if kind == BY_WEEK:
        if week is None:
            raise _invalid(ErrorCode.EMPTY, "week: is mandatory for type 1")
        if begin is not None or end is not None:
            raise _invalid(ErrorCode.WRONG_COMBINATION, "beginTime/endTime: not with type 1")
        _week(week)
    else:
        if week is not None:
            raise _invalid(ErrorCode.WRONG_COMBINATION, "week: only with type 1")
        for name, value in (("beginTime", begin), ("endTime", end)):
            if value is None:
                raise _invalid(ErrorCode.EMPTY, f"{name}: is mandatory for type {kind}")
            _date(kind, name, value)
        if begin > end:
            raise _invalid(ErrorCode.WRONG_COMBINATION, "endTime must not be before beginTime")
    return {"name": body["name"], "type": kind, "week": week, "begin": begin, "end": end}


def delete_request(body: dict[str, Any]) -> tuple[str | None, int | None]:
    if (body["name"] is None) == (body["id"] is None):
        if body["name"] is None:
            raise _invalid(ErrorCode.EMPTY, "give the name or the id of the special date")
        raise _invalid(ErrorCode.WRONG_COMBINATION, "give the name or the id, not both")
    return body["name"], body["id"]


def wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "type": row["type"],
        "week": row["week"] or "",
        "beginTime": row["begin"] or "",
        "endTime": row["end"] or "",
    }
