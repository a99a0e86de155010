"""Time. Everything reads the clock through here, so tests and the signature window can pin it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, as naive UTC (the store's convention)."""
    return datetime.now(UTC).replace(tzinfo=None)


def fixed_clock(moment: datetime) -> Clock:
    naive = moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    return lambda: naive
