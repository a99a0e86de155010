"""Task-group import (cec_07_0768) and the remaining dialer-facing interfaces (reference §8):
``interface``, ``push/midresult``, ``isholiday`` — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.api import (
    OBS,
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    create_campaign,
    numbers,
    ok_json,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")


GROUP_PATH = "/rest/isales/v1/openapi/campaigns/12/groupcalldata"


def group_post(client, group: str | None, body: dict) -> dict:  # type: ignore[no-untyped-def]
    params = {} if group is None else {"campaignGroupId": group}
    return ok_json(client.post(GROUP_PATH, params=params, json=body))


def record(called: str, **fields) -> dict:  # type: ignore[no-untyped-def]
    return {"called": [{"calledNo": called}], **fields}


def test_group_import_adds_v2_records_with_priority(client, server):
    campaign_id = create_campaign(client)
    body = {"callDataList": [record("13900000001", priority="1"), record("13900000002")]}
    answer = group_post(client, str(campaign_id), body)
    assert_code(answer, SUCCESS)
    listed = answer["returnObject"]["dataIdList"]
    assert [item["called"] for item in listed] == ["13900000001", "13900000002"]
    stored = {
        r["called"]: r["priority"]
        for r in rows(server.services, "numbers", campaign_id=campaign_id)
    }
    assert stored == {"13900000001": 1, "13900000002": 3}


@pytest.mark.parametrize(
    ("group", "body", "code"),
    [
        ("999999", {"callDataList": [record("1")]}, "0200007"),
        ("x", {"callDataList": [record("1")]}, "02000002"),
        ("9999999999", {"callDataList": [record("1")]}, "02000007"),
        (None, {"callDataList": [record("1")]}, "02000001"),
        ("CAMPAIGN", {"callDataList": [record("1", priority=6)]}, "02000007"),
        ("CAMPAIGN", {"callDataList": [record(str(i)) for i in range(21)]}, "0200029"),
        ("CAMPAIGN", {"callDataList": [record("1"), record("1")]}, "0200018"),
        ("CAMPAIGN", {"callDataList": [{"called": "1"}]}, "02000006"),
        ("CAMPAIGN", {}, "02000001"),
    ],
)
def test_group_import_rules(client, server, group, body, code):
    campaign_id = create_campaign(client)
    group = str(campaign_id) if group == "CAMPAIGN" else group
    assert_code(group_post(client, group, body), code)
    assert rows(server.services, "numbers", campaign_id=campaign_id) == []


def test_interface_lists_the_paths(client):
    answer = client.post(OBS + "/interface", json={"version": "311"}).json()
    assert answer["result"] == "0"
    paths = answer["resultData"]
    assert paths["version"] == "311"
    assert paths["getUserData"] == OBS + "/callnos"
    assert paths["pushMidRlt"] == OBS + "/push/midresult"
    assert paths["getHoliDay"] == OBS + "/isholiday"
    assert client.post(OBS + "/interface", json={}).json()["result"] == "1"
    # a VDN, if named, must be granted to the key
    assert client.post(OBS + "/interface", json={"version": "1", "vdnId": 99}).status_code == 403


def test_midresult_renews_only_our_own_live_claim(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=60)
    with server.client() as admin, server.client() as other:
        campaign_id = create_campaign(admin, init_status=0)
        add_numbers(admin, campaign_id, numbers(1))
        claim = admin.post(
            OBS + "/callnos",
            json={"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 1},
        ).json()
        unique_id = claim["resultData"][0]["uniqueId"]
        mid = {"subCCNo": 1, "vdnId": 12, "serviceId": str(campaign_id), "uniqueId": unique_id}
        clock.advance(50)
        assert (
            admin.post(OBS + "/push/midresult", json={**mid, "status": "1"}).json()["result"] == "0"
        )
        [row] = rows(server.services, "numbers", campaign_id=campaign_id)
        assert row["lease_until"] == clock.now + timedelta(seconds=60)
        assert other.post(OBS + "/push/midresult", json=mid).json()["result"] == "2"
        clock.advance(61)  # the renewed lease ran out: nothing to renew
        assert admin.post(OBS + "/push/midresult", json=mid).json()["result"] == "2"
        assert (
            admin.post(OBS + "/push/midresult", json={**mid, "uniqueId": "x"}).json()["result"]
            == "1"
        )


def test_isholiday_follows_the_campaigns_special_dates(client):
    campaign_id = create_campaign(client)
    body = {"subCCNo": 1, "vdnId": 12, "holidayId": str(campaign_id)}
    assert client.post(OBS + "/isholiday", json=body).json() == {
        "result": "0",
        "resultData": {"isHoliday": "0"},
    }
    every_day = {"name": "always", "type": 1, "week": "1,2,3,4,5,6,7"}
    added = client.post(
        f"/rest/isales/v1/openapi/campaigns/12/holiday/{campaign_id}", json=every_day
    ).json()
    assert_code(added, SUCCESS)
    answer = client.post(OBS + "/isholiday", json=body).json()
    assert answer["resultData"] == {"isHoliday": "1"}
    assert (
        client.post(OBS + "/isholiday", json={**body, "holidayId": "999999"}).json()["result"]
        == "1"
    )
    assert client.post(OBS + "/isholiday", json={**body, "holidayId": "a"}).json()["result"] == "1"
