"""The built-in dialer loop against a real server: windows, pause, priority, ringing cap."""

from __future__ import annotations

import threading

import pytest

from isales.dialer import CallOutcome, CallRequest, SimulatedDriver
from tests.support.api import (
    MovableClock,
    add_numbers,
    campaigns_path,
    create_campaign,
    numbers,
    rows,
    set_status,
    utc_now,
)
from tests.support.dialer import instant, make_dialer, wait_until

pytestmark = pytest.mark.usefixtures("backend")


class HeldDriver:
    """Calls that last until the test lets them end."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.placed: list[CallRequest] = []

    def place(self, call: CallRequest) -> CallOutcome:
        self.placed.append(call)
        self.release.wait(30)
        return CallOutcome("6", "00000", f"held-{call.data_id}", "", "", "")


def states(server, campaign_id) -> list[str]:  # type: ignore[no-untyped-def]
    return [r["state"] for r in rows(server.services, "numbers", campaign_id=campaign_id)]


def test_dials_a_campaign_to_completion(make_server):
    server = make_server()
    with server.client() as admin:
        campaign_id = create_campaign(admin, init_status=0)
        add_numbers(admin, campaign_id, numbers(30))
    dialer = make_dialer(server, instant({"00000": 1, "00537": 1}))
    stop = threading.Event()
    worker = threading.Thread(target=dialer.run, args=(stop,))
    worker.start()
    try:
        wait_until(lambda: set(states(server, campaign_id)) == {"completed"})
    finally:
        stop.set()
        worker.join(30)
    results = rows(server.services, "call_results", campaign_id=campaign_id)
    assert len(results) == 30 and dialer.reported == 30
    assert {r["call_status"] for r in results} == {"5", "6"}
    assert all(r["fail_code"] == ("00000" if r["call_status"] == "6" else "00537") for r in results)


def test_dials_only_inside_the_schedule_window(make_server):
    clock = MovableClock(utc_now().replace(hour=8, minute=0, second=0, microsecond=0))
    server = make_server(clock=clock)
    with server.client() as admin:
        campaign_id = create_campaign(
            admin,
            init_status=0,
            scheduleParam={
                "workdayBeginTime1": "09:00",
                "workdayEndTime1": "10:00",
                "holidayBeginTime1": "09:00",
                "holidayEndTime1": "10:00",
            },
        )
        add_numbers(admin, campaign_id, numbers(3))
    dialer = make_dialer(server, instant())
    assert dialer.step() == 0
    clock.advance(90 * 60)  # 09:30
    assert dialer.step() == 3
    wait_until(lambda: dialer.in_flight == 0)
    clock.advance(60 * 60)  # 10:30: outside again; nothing left anyway, but nothing listed
    assert dialer._tasks(12) == []


def test_pause_stops_claiming_and_calls_in_flight_still_report(make_server):
    server = make_server()
    with server.client() as admin:
        campaign_id = create_campaign(admin, init_status=0)
        add_numbers(admin, campaign_id, numbers(10))
        driver = HeldDriver()
        dialer = make_dialer(server, driver, concurrency=3)
        assert dialer.step() == 3
        assert set_status(admin, campaign_id, "pause")["resultCode"] == "0200000"
        driver.release.set()
        wait_until(lambda: dialer.in_flight == 0)
        assert dialer.step() == 0
    assert sorted(states(server, campaign_id)) == ["completed"] * 3 + ["pending"] * 7


def test_higher_priority_campaign_gets_the_lines_first(make_server):
    server = make_server()
    with server.client() as admin:
        low = admin.post(campaigns_path(version=2), json=_v2_body(priority=5)).json()
        high = admin.post(campaigns_path(version=2), json=_v2_body(priority=1)).json()
        low_id, high_id = low["returnObject"]["id"], high["returnObject"]["id"]
        add_numbers(admin, low_id, numbers(5))
        add_numbers(admin, high_id, numbers(5, prefix="1390000"))
    driver = HeldDriver()
    dialer = make_dialer(server, driver, concurrency=7)
    assert dialer.step() == 7
    assert [c.campaign_id for c in driver.placed].count(high_id) == 5
    driver.release.set()
    wait_until(lambda: dialer.in_flight == 0)


def test_ringing_is_capped_by_max_alerting_time(make_server):
    server = make_server()
    with server.client() as admin:
        campaign_id = create_campaign(admin, init_status=0, maxAlertingTime=5)
        add_numbers(admin, campaign_id, numbers(4))
    driver = SimulatedDriver({"00000": 1}, ring_seconds=(8, 9), talk_seconds=(1, 1), time_scale=0)
    dialer = make_dialer(server, driver)
    assert dialer.step() == 4
    wait_until(lambda: dialer.in_flight == 0)
    results = rows(server.services, "call_results", campaign_id=campaign_id)
    assert [(r["call_status"], r["fail_code"]) for r in results] == [("5", "00603")] * 4


def _v2_body(priority: int) -> dict:
    from tests.support.api import campaign_body

    return campaign_body(version=2, priority=priority, initStatus=0)
