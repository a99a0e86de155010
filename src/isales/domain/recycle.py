"""recycleType: which recycleTime values a delete filter matches.

Times in the API are UTC wall-clock (``yyyy-MM-dd HH:mm:ss``) and are stored as naive UTC.
Day boundaries for recycleType 1 and 2 are taken in the configured time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .days import day_bounds

ON_OR_BEFORE_DAY = "1"
SAME_DAY = "2"
EXACT = "3"


@dataclass(frozen=True)
class RecycleWindow:
    """Matches ``lower <= recycle_time < upper`` (``lower`` None means unbounded)."""

    lower: datetime | None
    upper: datetime


def recycle_window(given: datetime, recycle_type: str, zone: ZoneInfo) -> RecycleWindow:
    if recycle_type == EXACT:
        return RecycleWindow(given, given + timedelta(seconds=1))
    day_start, next_day_start = day_bounds(given, zone)
    if recycle_type == ON_OR_BEFORE_DAY:
        return RecycleWindow(None, next_day_start)
    return RecycleWindow(day_start, next_day_start)
