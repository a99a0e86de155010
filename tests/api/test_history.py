"""The history extension: POST .../calldata/{campaignId}/history."""

from __future__ import annotations

import pytest

from tests.support.api import SUCCESS, add_numbers, calldata_path, create_campaign, delete, numbers

pytestmark = pytest.mark.usefixtures("backend")


def history(client, campaign_id, body=None, vdn=12) -> dict:
    answer = client.post(calldata_path(campaign_id, vdn) + "/history", json=body).json()
    return answer


def test_archived_numbers_are_listed_with_their_stamps(client):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(3, customField="h1", sessionId="cust"))
    add_numbers(client, campaign_id, numbers(2, prefix="1390000", customField="h2"))
    first = client.post(
        calldata_path(campaign_id) + "/delete", json={"customField": "h1", "archiveHistory": 1}
    )
    assert first.json()["successCount"] == 3
    assert (
        delete(client, campaign_id, {"customField": "h2", "archiveHistory": 0})["successCount"] == 2
    )

    answer = history(client, campaign_id)
    assert answer["resultCode"] == SUCCESS and answer["totalCount"] == 3
    item = answer["data"][0]
    assert item["campaignId"] == campaign_id and item["customField"] == "h1"
    assert item["sessionId"] == "cust" and item["status"] == "pending"
    assert item["archivedBy"] == client.access_key
    assert item["requestId"] == first.headers["x-request-id"]
    assert item["reason"] == "number-delete"

    by_request = history(client, campaign_id, {"requestId": first.headers["x-request-id"]})
    assert by_request["totalCount"] == 3
    assert history(client, campaign_id, {"called": "13800000001"})["totalCount"] == 1
    assert history(client, campaign_id, {"customField": "h2"})["totalCount"] == 0


def test_paging(client):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(7, customField="p"))
    delete(client, campaign_id, {"customField": "p", "archiveHistory": 1})
    pages = [history(client, campaign_id, {"pageNum": n, "pageSize": 3}) for n in (1, 2, 3)]
    assert [len(p["data"]) for p in pages] == [3, 3, 1]
    ids = [item["dataId"] for p in pages for item in p["data"]]
    assert len(set(ids)) == 7
    assert history(client, campaign_id, {"pageSize": 501})["resultCode"] == "02000007"
    assert history(client, campaign_id, {"pageNum": 0})["resultCode"] == "02000007"
    assert history(client, campaign_id, {"bogus": 1})["resultCode"] == "0200001"


def test_history_outlives_its_campaign_and_stays_in_its_vdn(client):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(2, customField="gone"))
    delete(client, campaign_id, {"customField": "gone", "archiveHistory": 1})
    assert (
        client.delete(f"/rest/isales/v1/openapi/campaigns/12/{campaign_id}").json()["resultCode"]
        == SUCCESS
    )
    assert history(client, campaign_id)["totalCount"] == 2
    assert history(client, campaign_id, vdn=13)["totalCount"] == 0
