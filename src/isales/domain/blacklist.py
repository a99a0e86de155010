"""Blacklist rules (docs/api.md#blacklist): when an entry expires, and the periods of a call quota.

An entry is *valid* from its creation until ``expires_at`` (naive UTC; ``None`` is never).
A valid entry without a quota forbids every call to its number; one with a quota
(``restrict_times`` per ``restrict_period``) allows that many attempts per clock hour or
calendar day of the tenant time zone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from .days import day_start

PER_HOUR = "0"
PER_DAY = "1"

#: validityTimeUnit values
YEAR, MONTH, DAY, HOUR = 1, 2, 3, 4


def is_valid(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is None or expires_at > now


def _add_months(moment: datetime, months: int) -> datetime:
    """Calendar months; the day is clamped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def expiry(now: datetime, amount: int, unit: int) -> datetime:
    """``now`` plus ``amount`` units (1 year, 2 month, 3 day, 4 hour)."""
    if unit == HOUR:
        return now + timedelta(hours=amount)
    if unit == DAY:
        return now + timedelta(days=amount)
    return _add_months(now, amount * (12 if unit == YEAR else 1))


@dataclass(frozen=True)
class QuotaPeriods:
    """Where the current quota periods began, as naive UTC."""

    hour_start: datetime
    day_start: datetime


def quota_periods(now: datetime, zone: ZoneInfo) -> QuotaPeriods:
    """The current clock hour and calendar day of ``zone`` that contain ``now`` (naive UTC)."""
    local = now.replace(tzinfo=UTC).astimezone(zone)
    hour_start = local.replace(minute=0, second=0, microsecond=0)
    return QuotaPeriods(
        hour_start=hour_start.astimezone(UTC).replace(tzinfo=None),
        day_start=day_start(local.date(), zone),
    )
