"""Calling hours in each number's own time zone (``scheduleParam.calleeLocalTime``): a
campaign with numbers in three time zones, dialled by the built-in dialer on a moved clock —
on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.api import (
    OBS,
    TIME,
    add_numbers,
    add_v2,
    campaign_body,
    campaigns_path,
    create_campaign,
    new_batch,
    rows,
)
from tests.support.dialer import instant, make_dialer, wait_until

pytestmark = pytest.mark.usefixtures("backend")

#: 2030-01-14 is a Monday in winter: no daylight saving anywhere below
START = datetime(2030, 1, 14, 0, 0)
WINDOW = {
    "workdayBeginTime1": "09:00",
    "workdayEndTime1": "09:59",
    "holidayBeginTime1": "09:00",
    "holidayEndTime1": "09:59",
    "calleeLocalTime": 1,
}


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def campaign(admin, **schedule) -> int:  # type: ignore[no-untyped-def]
    return create_campaign(
        admin,
        init_status=0,
        strBeginTime=START.strftime(TIME),
        strEndTime=(START + timedelta(days=5)).strftime(TIME),
        scheduleParam={**WINDOW, **schedule},
    )


def test_each_number_is_dialled_only_inside_its_own_local_window(make_server):
    clock = Clock()
    server = make_server(clock=clock)
    with server.client() as admin:
        campaign_id = campaign(admin)
        add_numbers(
            admin,
            campaign_id,
            [
                # derived from the prefix table (international prefix 00)
                {"called": "008613800000001"},
                {"called": "008613800000002"},
                {"called": "0012135550001"},  # +1 213: Los Angeles
                {"called": "0012135550002"},
                # given explicitly (v1 extension field)
                {"called": "07700900001", "timeZone": "Europe/London"},
                {"called": "07700900002", "timeZone": "Europe/London"},
                # +1 999: an area code the table does not know: every NANP zone at once
                {"called": "0019995550001"},
            ],
        )
    zone_of = {r["called"]: r["time_zone"] for r in rows(server.services, "numbers")}
    assert zone_of["008613800000001"] == "Asia/Shanghai"
    assert zone_of["0012135550001"] == "America/Los_Angeles"
    assert zone_of["07700900001"] == "Europe/London"
    assert "|" in zone_of["0019995550001"]

    dialer = make_dialer(server, instant())
    for step in range(2 * 24 * 4):  # two days, every 15 minutes
        clock.now = START + timedelta(minutes=15 * step)
        dialer.step()
        wait_until(lambda: dialer.in_flight == 0)

    dialled = {r["called"]: r["reported_at"] for r in rows(server.services, "call_results")}
    expected = {
        "008613800000001": "Asia/Shanghai",
        "008613800000002": "Asia/Shanghai",
        "0012135550001": "America/Los_Angeles",
        "0012135550002": "America/Los_Angeles",
        "07700900001": "Europe/London",
        "07700900002": "Europe/London",
    }
    assert set(dialled) == set(expected)  # the ambiguous +1 number never fits every zone
    for called, zone in expected.items():
        local = dialled[called].replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
        assert local.hour == 9, (called, zone, local)
    # three different UTC hours: the windows really moved with the numbers
    assert len({dialled[c].hour for c in expected}) == 3


def test_outside_every_window_nothing_is_listed_or_claimed(make_server):
    clock = Clock()
    server = make_server(clock=clock)
    with server.client() as admin:
        campaign_id = campaign(admin)
        add_numbers(admin, campaign_id, [{"called": "008613800000001"}])
        clock.now = START + timedelta(hours=12)  # 20:00 in Shanghai
        tasks = admin.post(OBS + "/tasks", json={"subCCNo": 1, "vdnId": 12}).json()
        assert tasks["resultData"]["taskData"] == []
        body = {"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 10}
        assert admin.post(OBS + "/callnos", json=body).json()["resultData"] == []
        clock.now = START + timedelta(hours=1, minutes=30)  # 09:30 in Shanghai
        tasks = admin.post(OBS + "/tasks", json={"subCCNo": 1, "vdnId": 12}).json()
        assert tasks["resultData"]["taskData"] == [{"serviceId": str(campaign_id)}]
        assert len(admin.post(OBS + "/callnos", json=body).json()["resultData"]) == 1


def test_without_the_option_the_servers_zone_decides(make_server):
    clock = Clock()
    server = make_server(clock=clock)
    with server.client() as admin:
        campaign_id = campaign(admin, calleeLocalTime=0)
        add_numbers(admin, campaign_id, [{"called": "008613800000001"}])
        body = {"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 10}
        clock.now = START + timedelta(hours=1, minutes=30)  # 09:30 in Shanghai, 01:30 UTC
        assert admin.post(OBS + "/callnos", json=body).json()["resultData"] == []
        clock.now = START + timedelta(hours=9, minutes=30)  # 09:30 UTC
        assert len(admin.post(OBS + "/callnos", json=body).json()["resultData"]) == 1


def test_configured_prefixes_and_bad_zone_names(make_server):
    server = make_server(time_zone_prefixes="49=Europe/Berlin", time_zone_international_prefix="")
    with server.client() as admin:
        campaign_id = create_campaign(admin)
        add_numbers(admin, campaign_id, [{"called": "4930123456"}, {"called": "5550001"}])
        zones = {r["called"]: r["time_zone"] for r in rows(server.services, "numbers")}
        assert zones == {"4930123456": "Europe/Berlin", "5550001": None}
        bad = admin.post(
            f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}",
            json={"callDataList": [{"called": "1", "timeZone": "Mars/Olympus"}]},
        ).json()
        assert bad["resultCode"] == "02000007"
        v2 = admin.post(
            f"/rest/isales/v2/openapi/campaigns/12/calldata/{campaign_id}",
            json={"callDataList": [{"called": [{"calledNo": "2"}], "timeZone": "Asia/Tokyo"}]},
        ).json()
        assert v2["resultCode"] == "0200000"
        [row] = rows(server.services, "numbers", called="2")
        assert row["time_zone"] == "Asia/Tokyo"
        option = admin.post(
            campaigns_path(),
            json=campaign_body(scheduleParam={**WINDOW, "calleeLocalTime": 2}),
        ).json()
        assert option["resultCode"] == "02000007"


def test_open_zones_share_a_claim_and_a_short_zone_leaves_its_share_to_the_others(make_server):
    clock = Clock()
    server = make_server(clock=clock)
    with server.client() as admin:
        # at START (00:00 UTC): 09:00 in Tokyo and 01:00 in Paris are inside 00:00-09:59,
        # 16:00 (the day before) in Los Angeles is not
        campaign_id = campaign(
            admin,
            workdayBeginTime1="00:00",
            workdayEndTime1="09:59",
            holidayBeginTime1="00:00",
            holidayEndTime1="09:59",
        )
        records = [
            {"called": "0012135550001"},
            {"called": "810001", "timeZone": "Asia/Tokyo"},
            *({"called": f"33000{i}", "timeZone": "Europe/Paris"} for i in range(10)),
        ]
        add_numbers(admin, campaign_id, records)
        body = {"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 6}
        first = admin.post(OBS + "/callnos", json=body).json()["resultData"]
        assert len(first) == 6
        assert "810001" in [item["phoneNumber"][0] for item in first]
        rest = admin.post(OBS + "/callnos", json={**body, "batchCount": 10}).json()["resultData"]
        assert len(rest) == 5
        assert admin.post(OBS + "/callnos", json=body).json()["resultData"] == []


def test_a_paused_batch_is_not_claimed_in_local_time_either(make_server):
    clock = Clock()
    server = make_server(clock=clock)
    with server.client() as admin:
        # +81 is not in the table: those numbers follow the server's zone (UTC, 00:00: open);
        # 16:00 in Los Angeles is not open, so the zone filter is in use
        campaign_id = campaign(
            admin,
            workdayBeginTime1="00:00",
            workdayEndTime1="09:59",
            holidayBeginTime1="00:00",
            holidayEndTime1="09:59",
        )
        add_numbers(admin, campaign_id, [{"called": "0012135550001"}])
        paused = new_batch(admin, campaign_id, "later", status=2)
        add_v2(admin, campaign_id, ["00813000001"], paused)
        add_v2(admin, campaign_id, ["00813000002"], None)
        body = {"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 10}
        claimed = admin.post(OBS + "/callnos", json=body).json()["resultData"]
        assert [item["phoneNumber"] for item in claimed] == [["00813000002"]]


def test_file_rows_carry_a_time_zone_and_reserved_calls_follow_their_numbers_zone(
    make_server,
):
    clock = Clock()
    server = make_server(clock=clock, import_sweep_seconds=3600)
    with server.client() as admin:
        # at START: numbers without a zone (UTC, 00:00) are inside 00:00-09:59, Los Angeles
        # (16:00 the day before) is not
        campaign_id = campaign(
            admin,
            workdayBeginTime1="00:00",
            workdayEndTime1="09:59",
            holidayBeginTime1="00:00",
            holidayEndTime1="09:59",
        )
        content = b"called,timeZone\n5550001,America/Los_Angeles\n5550002,\n"
        upload = admin.post(
            f"/rest/isales/v1/openapi/campaigns/12/calldatafile/upload/{campaign_id}",
            json={"fileName": "n.csv", "fileContent": base64.b64encode(content).decode()},
        ).json()
        assert upload["resultCode"] == "0200000"
        server.services.imports.run_pending()
        zones = {r["called"]: r["time_zone"] for r in rows(server.services, "numbers")}
        assert zones == {"5550001": "America/Los_Angeles", "5550002": None}
        appoint = "/rest/isales/v1/openapi/campaigns/12/appoint/create"
        at = int(START.replace(tzinfo=UTC).timestamp() * 1000)
        for called in ("0012135550009", "5550009"):
            body = {
                "callType": 2,
                "calledNo": called,
                "taskId": str(campaign_id),
                "appointTime": at,
            }
            assert admin.post(appoint, json=body).json()["resultCode"] == "0200000"
        body = {"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 10}
        claimed = admin.post(OBS + "/callnos", json=body).json()["resultData"]
        assert sorted(item["phoneNumber"][0] for item in claimed) == ["5550002", "5550009"]
