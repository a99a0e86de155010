"""recycleType: which recycleTime values a delete filter matches.

Times in the API are UTC wall-clock (``yyyy-MM-dd HH:mm:ss``) and are stored as naive UTC.
Day boundaries for recycleType 1 and 2 are taken in the configured time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

ON_OR_BEFORE_DAY = "1"
SAME_DAY = "2"
EXACT = "3"


@dataclass(frozen=True)
class RecycleWindow:
    """Matches ``lower <= recycle_time < upper`` (``lower`` None means unbounded)."""

    lower: datetime | None
    upper: datetime


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def recycle_window(given: datetime, recycle_type: str, zone: ZoneInfo) -> RecycleWindow:
    if recycle_type == EXACT:
        return RecycleWindow(given, given + timedelta(seconds=1))
    local_day = given.replace(tzinfo=UTC).astimezone(zone).date()
    day_start = datetime.combine(local_day, time.min, tzinfo=zone)
    next_day_start = datetime.combine(local_day + timedelta(days=1), time.min, tzinfo=zone)
    upper = _utc_naive(next_day_start)
    if recycle_type == ON_OR_BEFORE_DAY:
        return RecycleWindow(None, upper)
    return RecycleWindow(_utc_naive(day_start), upper)
