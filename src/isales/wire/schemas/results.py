"""Call results and today's statistics: fields, rules, wire form.

The rules: docs/api.md#call-results and docs/api.md, "Today's statistics".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ...domain.days import day_start
from ...errors import (
    ErrorCode,
    InvalidParameter,
    ResultRangeFormat,
    ResultRangeIncomplete,
    ResultRangeOrder,
    ResultRangeTooLong,
)
from ..validation import DATE_FORMAT, INT32_MAX, TIME_FORMAT, Field, Schema

#: largest pageSize with showDetail 0 (final results) and 1 (every attempt)
MAX_PAGE_FINAL = 500
MAX_PAGE_DETAIL = 100
#: rows answered when neither pageSize nor pageNum is given
UNPAGED_MAX = 2000
MAX_RANGE_DAYS = 30
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_FAIL_CODE = re.compile(r"^[0-9]{1,5}\Z")

QUERY: Schema = (
    Field("sessionId", max_length=32),
    Field("customField", max_length=200),
    Field(
        "pageSize",
        "integer",
        minimum=1,
        maximum=MAX_PAGE_FINAL,
        description=f"at most {MAX_PAGE_DETAIL} with showDetail 1; default the maximum",
    ),
    Field("pageNum", "integer", minimum=1, maximum=INT32_MAX, description="default 1"),
    Field(
        "showDetail",
        "integer",
        choices=(0, 1),
        description="0 (default): the final result of each completed number; 1: every attempt",
    ),
    # format errors answer 0200009 here (the interface's own code), so no format="date"
    Field("beginTime", description="YYYY-MM-DD, a day in ISALES_TIMEZONE; with endTime"),
    Field("endTime", description="YYYY-MM-DD, exclusive: results before 00:00 of that day"),
)


def _day(text: str, name: str) -> date:
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError as exc:
        raise ResultRangeFormat(f"{name}: must be a real date as YYYY-MM-DD") from exc


def _reported_window(
    begin_text: str | None, end_text: str | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    if begin_text is None and end_text is None:
        return None, None
    if begin_text is None or end_text is None:
        raise ResultRangeIncomplete()
    begin, end = _day(begin_text, "beginTime"), _day(end_text, "endTime")
    if begin >= end:
        raise ResultRangeOrder()
    if (end - begin).days > MAX_RANGE_DAYS:
        raise ResultRangeTooLong()
    return day_start(begin, zone), day_start(end, zone)


def result_query(body: dict[str, Any], zone: ZoneInfo) -> tuple[dict[str, Any], int, int]:
    """Cross-field rules, then (the ``store.results.ResultFilter`` keywords, offset, limit)."""
    detail = body["showDetail"] == 1
    max_page = MAX_PAGE_DETAIL if detail else MAX_PAGE_FINAL
    if body["pageSize"] is not None and body["pageSize"] > max_page:
        raise InvalidParameter(
            ErrorCode.WRONG_VALUE, f"pageSize: at most {max_page} with showDetail {int(detail)}"
        )
    reported_from, reported_until = _reported_window(body["beginTime"], body["endTime"], zone)
    if body["pageSize"] is None and body["pageNum"] is None:
        offset, limit = 0, UNPAGED_MAX
    else:
        limit = body["pageSize"] or max_page
        offset = ((body["pageNum"] or 1) - 1) * limit
    filter_fields = {
        "final_only": not detail,
        "session_id": body["sessionId"],
        "custom_field": body["customField"],
        "reported_from": reported_from,
        "reported_until": reported_until,
    }
    return filter_fields, offset, limit


def display_result(fail_code: str | None) -> str:
    """``resultCode`` when no display result of the VDN shows the failCode: "OB" and the
    failCode as five digits; "OB99999" for any other failCode."""
    if fail_code is not None and _FAIL_CODE.match(fail_code):
        return "OB" + fail_code.zfill(5)
    return "OB99999"


def telephony(row: dict[str, Any]) -> dict[str, Any]:
    """A result's telephony detail (isales extension: sipCode, q850Cause, ringMs, talkMs and
    amd when detection ran), as extra members; none for a result reported without it."""
    return dict(row.get("telephony") or {})


def wire_result(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "campaignId": str(row["campaign_id"]),
        "sessionId": row["session_id"] or "",
        "called": row["called"] or "",
        "callTimeStr": row["reported_at"].strftime(TIME_FORMAT),
        "callStatus": int(row["call_status"]),
        "failCode": row["fail_code"] or "",
        "resultCode": row.get("display_code") or display_result(row["fail_code"]),
        "vdnId": row["vdn_id"],
        "callId": row["call_id"] or "",
        "recordPath": "",
        **telephony(row),
    }


def wire_callback(row: dict[str, Any]) -> dict[str, Any]:
    """One final result as pushed to ``callBackUrl`` (docs/api.md#result-callbacks): the
    query's form, with ``customField`` and without ``resultCode``."""
    pushed = {**wire_result(row), "customField": row["custom_field"] or ""}
    del pushed["resultCode"]
    return pushed


def wire_detail(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "callId": row["call_id"],
        "called": row["called"] or "",
        "ackBeginTime": row["fetch_time"] or "",
        "callBeginTime": row["write_start_time"] or "",
        "callEndTime": row["end_call_time"] or "",
        "vdnId": row["vdn_id"],
        "callStatus": row["call_status"],
        "failCode": row["fail_code"] or "",
        "resultCode": row.get("display_code") or display_result(row["fail_code"]),
        "recordPath": "",
        **telephony(row),
    }


# --- today's statistics (docs/api.md, "Today's statistics") ---------------------------------------

STATISTICS_QUERY: Schema = (
    Field(
        "campaignId",
        "integer",
        minimum=1,
        maximum=INT32_MAX,
        description="omitted: every campaign of the VDN",
    ),
    Field("batchId", max_length=200, description="a customField value; only with campaignId"),
)

#: wire name -> counter of store.statistics
COUNTERS = (
    ("unCallCount", "uncalled"),
    ("calledCount", "numbers_called_today"),
    ("finishCount", "numbers_finished_today"),
    ("totalCalledCount", "numbers_called"),
    ("totalCallSucc", "numbers_connected"),
    ("totalFinishCount", "completed"),
    ("totalCount", "total"),
    ("dailyCalledCount", "calls_today"),
    ("dailyCallSucc", "connected_calls_today"),
    ("dailyFinishCount", "final_calls_today"),
    ("dailyCount", "added_today"),
)


def statistics_request(query: dict[str, Any]) -> tuple[int | None, str | None]:
    if query["batchId"] is not None and query["campaignId"] is None:
        raise InvalidParameter(ErrorCode.WRONG_COMBINATION, "batchId requires campaignId")
    return query["campaignId"], query["batchId"]


def _counters(counts: dict[str, int]) -> dict[str, int]:
    return {name: counts[counter] for name, counter in COUNTERS}


class Counts(Protocol):
    """Raw counters of one campaign, and of one batch if asked (the statistics service's)."""

    @property
    def campaign_id(self) -> int: ...

    @property
    def counts(self) -> dict[str, int]: ...

    @property
    def batch(self) -> dict[str, int] | None: ...

    @property
    def agents(self) -> dict[str, int]: ...


#: the agent states counted in the statistics (isales extension), in this order
AGENT_STATES = ("LOGGED_OUT", "READY", "RESERVED", "TALKING", "WRAP_UP", "PAUSED")


def wire_statistics(entry: Counts, batch_id: str | None) -> dict[str, Any]:
    batches = [] if entry.batch is None else [{"batchId": batch_id, **_counters(entry.batch)}]
    return {
        "campaignId": str(entry.campaign_id),
        **_counters(entry.counts),
        "batchDetail": batches,
        # isales extension: the campaign's agents by state (a login in progress: LOGGED_OUT)
        "agentCount": {state: entry.agents.get(state, 0) for state in AGENT_STATES},
    }
