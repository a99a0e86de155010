"""recycleType windows (src/isales/domain/recycle.py): UTC, a fixed offset zone, a DST zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from isales.domain.recycle import RecycleWindow, recycle_window

UTC_ZONE = ZoneInfo("UTC")
SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
GIVEN = datetime(2020, 12, 4, 17, 57, 0)


def matches(window: RecycleWindow, moment: datetime) -> bool:
    return (window.lower is None or window.lower <= moment) and moment < window.upper


# --- type 3: the exact second ---------------------------------------------------------------------


@pytest.mark.parametrize("zone", [UTC_ZONE, SHANGHAI, BERLIN])
def test_exact_second(zone):
    window = recycle_window(GIVEN, "3", zone)
    assert window == RecycleWindow(GIVEN, GIVEN + timedelta(seconds=1))
    assert matches(window, GIVEN)
    assert not matches(window, GIVEN - timedelta(seconds=1))
    assert not matches(window, GIVEN + timedelta(seconds=1))


# --- UTC ------------------------------------------------------------------------------------------


def test_on_or_before_day_utc():
    window = recycle_window(GIVEN, "1", UTC_ZONE)
    assert window == RecycleWindow(None, datetime(2020, 12, 5))
    assert matches(window, datetime(1970, 1, 1))
    assert matches(window, datetime(2020, 12, 4, 23, 59, 59))
    assert not matches(window, datetime(2020, 12, 5))


def test_same_day_utc():
    window = recycle_window(GIVEN, "2", UTC_ZONE)
    assert window == RecycleWindow(datetime(2020, 12, 4), datetime(2020, 12, 5))
    assert matches(window, datetime(2020, 12, 4, 0, 0, 0))
    assert matches(window, datetime(2020, 12, 4, 23, 59, 59))
    assert not matches(window, datetime(2020, 12, 3, 23, 59, 59))
    assert not matches(window, datetime(2020, 12, 5))


@pytest.mark.parametrize("given", [datetime(2020, 12, 4), datetime(2020, 12, 4, 23, 59, 59)])
def test_day_edges_utc(given):
    assert recycle_window(given, "2", UTC_ZONE) == RecycleWindow(
        datetime(2020, 12, 4), datetime(2020, 12, 5)
    )


def test_leap_day_and_year_end_utc():
    assert recycle_window(datetime(2024, 2, 29, 12), "2", UTC_ZONE) == RecycleWindow(
        datetime(2024, 2, 29), datetime(2024, 3, 1)
    )
    assert recycle_window(datetime(2020, 12, 31, 23), "1", UTC_ZONE) == RecycleWindow(
        None, datetime(2021, 1, 1)
    )


# --- Asia/Shanghai (UTC+8, no DST) ----------------------------------------------------------------


def test_same_day_shanghai_after_local_midnight():
    # 17:57 UTC is 01:57 on 5 December in Shanghai: that local day, in UTC
    window = recycle_window(GIVEN, "2", SHANGHAI)
    assert window == RecycleWindow(datetime(2020, 12, 4, 16), datetime(2020, 12, 5, 16))
    assert not matches(window, datetime(2020, 12, 4, 15, 59, 59))
    assert matches(window, datetime(2020, 12, 4, 16))
    assert matches(window, datetime(2020, 12, 5, 15, 59, 59))


def test_same_day_shanghai_before_local_midnight():
    window = recycle_window(datetime(2020, 12, 4, 15, 59, 59), "2", SHANGHAI)
    assert window == RecycleWindow(datetime(2020, 12, 3, 16), datetime(2020, 12, 4, 16))


def test_exactly_local_midnight_shanghai():
    window = recycle_window(datetime(2020, 12, 4, 16), "2", SHANGHAI)
    assert window == RecycleWindow(datetime(2020, 12, 4, 16), datetime(2020, 12, 5, 16))


def test_on_or_before_day_shanghai():
    assert recycle_window(GIVEN, "1", SHANGHAI) == RecycleWindow(None, datetime(2020, 12, 5, 16))
    assert recycle_window(datetime(2020, 12, 4, 10), "1", SHANGHAI) == RecycleWindow(
        None, datetime(2020, 12, 4, 16)
    )


def test_zone_differs_from_utc():
    assert recycle_window(GIVEN, "2", SHANGHAI) != recycle_window(GIVEN, "2", UTC_ZONE)


# --- Europe/Berlin (CET/CEST) ---------------------------------------------------------------------


def test_berlin_winter_day():
    window = recycle_window(datetime(2021, 1, 15, 12), "2", BERLIN)
    assert window == RecycleWindow(datetime(2021, 1, 14, 23), datetime(2021, 1, 15, 23))


def test_berlin_summer_day():
    window = recycle_window(datetime(2021, 7, 15, 12), "2", BERLIN)
    assert window == RecycleWindow(datetime(2021, 7, 14, 22), datetime(2021, 7, 15, 22))


def test_berlin_spring_forward_day_has_23_hours():
    # 28 March 2021: clocks go from 02:00 CET to 03:00 CEST
    window = recycle_window(datetime(2021, 3, 28, 10), "2", BERLIN)
    assert window == RecycleWindow(datetime(2021, 3, 27, 23), datetime(2021, 3, 28, 22))
    assert window.upper - window.lower == timedelta(hours=23)


def test_berlin_fall_back_day_has_25_hours():
    # 31 October 2021: clocks go from 03:00 CEST back to 02:00 CET
    window = recycle_window(datetime(2021, 10, 31, 10), "2", BERLIN)
    assert window == RecycleWindow(datetime(2021, 10, 30, 22), datetime(2021, 10, 31, 23))
    assert window.upper - window.lower == timedelta(hours=25)


@pytest.mark.parametrize(
    "given",
    # both sides of the repeated hour 02:00-03:00 local (00:00-02:00 UTC) on 31 October
    [
        datetime(2021, 10, 31, 0, 30),
        datetime(2021, 10, 31, 1, 30),
        datetime(2021, 10, 31, 22, 59, 59),
    ],
)
def test_berlin_fall_back_day_any_moment(given):
    assert recycle_window(given, "2", BERLIN) == RecycleWindow(
        datetime(2021, 10, 30, 22), datetime(2021, 10, 31, 23)
    )


def test_berlin_on_or_before_dst_day():
    assert recycle_window(datetime(2021, 3, 28, 10), "1", BERLIN) == RecycleWindow(
        None, datetime(2021, 3, 28, 22)
    )
    # 23:30 UTC on 28 March is already 29 March in Berlin
    assert recycle_window(datetime(2021, 3, 28, 23, 30), "1", BERLIN) == RecycleWindow(
        None, datetime(2021, 3, 29, 22)
    )


def test_window_bounds_are_naive_utc():
    for zone in (UTC_ZONE, SHANGHAI, BERLIN):
        for kind in ("1", "2", "3"):
            window = recycle_window(GIVEN, kind, zone)
            assert window.upper.tzinfo is None
            assert window.lower is None or window.lower.tzinfo is None
