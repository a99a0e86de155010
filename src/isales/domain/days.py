"""Local days: the store keeps naive UTC, the rules speak of days in ISALES_TIMEZONE."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The day in ``zone`` of a naive-UTC moment."""
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """00:00 of ``day`` in ``zone``, as naive UTC."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def day_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the local day of a naive-UTC moment, as naive UTC."""
    day = local_date(moment, zone)
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)
