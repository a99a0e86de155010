"""When a campaign may dial: its daily windows (scheduleParam) and special dates.

Windows are wall-clock ``HH:mm`` times in the configured time zone, both minutes
included. A day is a *holiday* when a special date covers it; holidays use the holiday
windows, other days the workday windows. Decisions: a scheduleParam without any window
puts no limit on the time of day; otherwise a day kind without windows (e.g. a holiday
when only workday windows are given) has no calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

BY_WEEK, BY_DATE, REPEAT_BY_DATE = 1, 2, 3
SLOTS = (1, 2, 3)


def windows(schedule: Mapping[str, str], kind: str) -> list[tuple[str, str]]:
    """The (begin, end) windows of one day kind ("workday" or "holiday")."""
    pairs = []
    for slot in SLOTS:
        begin, end = schedule.get(f"{kind}BeginTime{slot}"), schedule.get(f"{kind}EndTime{slot}")
        if begin and end:
            pairs.append((begin, end))
    return pairs


def is_special(day: date, special_dates: Iterable[Mapping[str, Any]]) -> bool:
    for special in special_dates:
        kind = special["type"]
        if kind == BY_WEEK:
            days = {int(part) for part in (special["week"] or "").split(",") if part.strip()}
            if day.isoweekday() in days:
                return True
        elif kind == BY_DATE:
            if special["begin"] <= day.isoformat() <= special["end"]:
                return True
        elif kind == REPEAT_BY_DATE:
            if special["begin"] <= day.strftime("%m-%d") <= special["end"]:
                return True
    return False


def may_dial(
    now_utc: datetime,
    schedule: Mapping[str, str],
    special_dates: Iterable[Mapping[str, Any]],
    zone: ZoneInfo,
) -> bool:
    """Whether ``now_utc`` (naive UTC) falls inside one of today's windows."""
    if not windows(schedule, "workday") and not windows(schedule, "holiday"):
        return True
    local = now_utc.replace(tzinfo=UTC).astimezone(zone)
    kind = "holiday" if is_special(local.date(), special_dates) else "workday"
    clock = local.strftime("%H:%M")
    # minute resolution, both ends included: 09:00-18:00 dials until 18:00:59
    return any(begin <= clock <= end for begin, end in windows(schedule, kind))
