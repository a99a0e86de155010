"""The remaining dialer-facing interfaces (docs/api.md, "More dialer-facing interfaces"):
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
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")


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
