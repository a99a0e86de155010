"""domain/schedule.py: daily windows, holidays and special dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from isales.domain.schedule import may_dial

UTC_ZONE = ZoneInfo("UTC")
WORKDAY = {
    "workdayBeginTime1": "09:00",
    "workdayEndTime1": "12:00",
    "workdayBeginTime2": "14:00",
    "workdayEndTime2": "18:00",
}
WITH_HOLIDAY = {**WORKDAY, "holidayBeginTime1": "10:00", "holidayEndTime1": "11:00"}
WEEKEND = [{"type": 1, "week": "6,7", "begin": None, "end": None}]


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-27 08:59", False),
        ("2026-11-27 09:00", True),
        ("2026-11-27 12:00", True),
        ("2026-11-27 12:01", False),
        ("2026-11-27 13:59", False),
        ("2026-11-27 17:30", True),
        ("2026-11-27 18:01", False),
    ],
)
def test_workday_windows_include_both_minutes(moment, expected):
    assert may_dial(at(moment), WORKDAY, [], UTC_ZONE) is expected


def test_no_window_at_all_means_no_limit():
    assert may_dial(at("2026-11-27 03:00"), {}, WEEKEND, UTC_ZONE)


def test_weekend_uses_holiday_windows():
    saturday = "2026-11-28"
    assert not may_dial(at(f"{saturday} 09:30"), WITH_HOLIDAY, WEEKEND, UTC_ZONE)
    assert may_dial(at(f"{saturday} 10:30"), WITH_HOLIDAY, WEEKEND, UTC_ZONE)
    assert not may_dial(at(f"{saturday} 10:30"), WORKDAY, WEEKEND, UTC_ZONE)  # no holiday windows


@pytest.mark.parametrize(
    ("special", "day", "holiday"),
    [
        ({"type": 2, "week": None, "begin": "2026-12-24", "end": "2026-12-26"}, "2026-12-25", True),
        (
            {"type": 2, "week": None, "begin": "2026-12-24", "end": "2026-12-26"},
            "2026-12-27",
            False,
        ),
        ({"type": 3, "week": None, "begin": "12-25", "end": "12-25"}, "2031-12-25", True),
        ({"type": 3, "week": None, "begin": "12-25", "end": "12-25"}, "2031-12-26", False),
        ({"type": 1, "week": "1", "begin": None, "end": None}, "2026-11-30", True),
    ],  # a Monday
)
def test_special_dates(special, day, holiday):
    assert may_dial(at(f"{day} 10:30"), WITH_HOLIDAY, [special], UTC_ZONE) is True
    assert may_dial(at(f"{day} 09:30"), WITH_HOLIDAY, [special], UTC_ZONE) is (not holiday)


def test_windows_are_local_to_the_configured_zone():
    shanghai = ZoneInfo("Asia/Shanghai")  # UTC+8: 01:30 UTC is 09:30 there
    assert may_dial(at("2026-11-27 01:30"), WORKDAY, [], shanghai)
    assert not may_dial(at("2026-11-27 05:00"), WORKDAY, [], shanghai)  # 13:00 there
