"""Call records v1/v2 (``callRecord``) and fail-category statistics (``cec_07_4014``)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.support.api import (
    OBS,
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    claim,
    create_campaign,
    numbers,
    ok_json,
    report,
)

pytestmark = pytest.mark.usefixtures("backend")

TIME = "%Y-%m-%d %H:%M:%S"
MANUAL = {"callback_sweep_seconds": 3600, "lease_seconds": 7 * 24 * 3600}


def records(client, version: int = 1, vdn: int = 12, **body) -> dict:  # type: ignore[no-untyped-def]
    path = f"/rest/isales/v{version}/openapi/campaigns/{vdn}/callRecord"
    return ok_json(client.post(path, json=body))


def fail_categories(client, vdn: int = 12, **params) -> dict:  # type: ignore[no-untyped-def]
    path = f"/rest/isales/v1/openapi/campaigns/{vdn}/failcategorystatistics"
    return ok_json(client.get(path, params=params))


def fail(client, campaign_id: int, data_id: str, fail_code: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(
        f"{OBS}/call/result",
        json={
            "subCCNo": 1,
            "vdnId": 12,
            "serviceId": str(campaign_id),
            "uniqueId": data_id,
            "status": "5",
            "failCode": fail_code,
            "callId": f"call-{data_id}",
        },
    ).json()
    assert answer == {"result": "0"}


# --- call records ------------------------------------------------------------------------------


def test_a_known_call_has_no_dialogue_records(client):
    campaign_id = create_campaign(client, init_status=0)
    [data_id] = add_numbers(client, campaign_id, numbers(1, prefix="13600"))
    claim(client, campaign_id, 1)
    assert report(client, campaign_id, data_id)["result"] == "0"
    call_id = f"call-{data_id}"
    v1 = records(client, callId=call_id)
    assert_code(v1, SUCCESS)
    assert v1["recordList"] == []
    v2 = records(client, version=2, callId=call_id, page=1, limit=10)
    assert_code(v2, SUCCESS)
    assert v2["recordList"] == []
    assert_code(records(client, callId="call-unknown"), "0200033")
    assert_code(records(client, vdn=13, callId=call_id), "0200033")
    assert_code(records(client, version=2, vdn=13, callId=call_id, page=1, limit=1), "0200033")


@pytest.mark.parametrize(
    ("version", "body", "code"),
    [
        (1, {}, "02000001"),
        (1, {"callId": "c" * 65}, "02000003"),
        (1, {"callId": ["c"]}, "02000006"),
        (1, {"callId": "c", "page": 1}, "0200001"),
        (2, {"callId": "c", "limit": 10}, "02000001"),
        (2, {"callId": "c", "page": 1}, "02000001"),
        (2, {"callId": "c", "page": 0, "limit": 10}, "02000007"),
        (2, {"callId": "c", "page": 1001, "limit": 10}, "02000007"),
        (2, {"callId": "c", "page": 1, "limit": 101}, "02000007"),
        (2, {"callId": "c", "page": "one", "limit": 1}, "02000006"),
    ],
)
def test_call_record_refusals(client, version, body, code):
    assert_code(records(client, version=version, **body), code)


# --- fail-category statistics ------------------------------------------------------------------


@pytest.fixture
def failures(make_server):
    """2031-05-20: 00603 once, 00537 once, one success. 2031-05-21: 00603 on each new number."""
    clock = MovableClock(datetime(2031, 5, 20, 9, 0, 0))
    server = make_server(clock=clock, **MANUAL)
    client = server.client((12, 13))
    start = clock().replace(hour=0)
    campaign_id = create_campaign(
        client,
        init_status=0,
        strBeginTime=start.strftime(TIME),
        strEndTime=(start + timedelta(days=60)).strftime(TIME),
    )
    first = add_numbers(client, campaign_id, numbers(3, prefix="13601"))
    assert [item["uniqueId"] for item in claim(client, campaign_id, 3)] == first
    fail(client, campaign_id, first[0], "00603")
    fail(client, campaign_id, first[1], "00537")
    assert report(client, campaign_id, first[2])["result"] == "0"
    clock.advance(24 * 3600)
    second = add_numbers(client, campaign_id, numbers(2, prefix="13602"))
    claimed = [item["uniqueId"] for item in claim(client, campaign_id, 10)]
    assert set(second) <= set(claimed)
    for data_id in claimed:
        fail(client, campaign_id, data_id, "00603")
    yield client, campaign_id, len(claimed)
    client.close()


def test_today_by_default(failures):
    client, campaign_id, failed_today = failures
    answer = fail_categories(client, campaignId=campaign_id)
    assert_code(answer, SUCCESS)
    assert answer["data"] == [{"statDate": "2031-05-21", "failData": {"00603": failed_today}}]


def test_one_entry_per_day_of_the_range(failures):
    client, campaign_id, failed_today = failures
    answer = fail_categories(
        client, campaignId=campaign_id, startDate="2031-05-19", endDate="2031-05-22"
    )
    assert_code(answer, SUCCESS)
    assert answer["data"] == [
        {"statDate": "2031-05-19", "failData": {}},
        {"statDate": "2031-05-20", "failData": {"00537": 1, "00603": 1}},
        {"statDate": "2031-05-21", "failData": {"00603": failed_today}},
        {"statDate": "2031-05-22", "failData": {}},
    ]
    thirty = fail_categories(
        client, campaignId=campaign_id, startDate="2031-05-01", endDate="2031-05-31"
    )
    assert len(thirty["data"]) == 31


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"campaignId": ""}, "02000001"),
        ({"campaignId": "x"}, "02000006"),
        ({"campaignId": "0"}, "02000007"),
        ({"startDate": "2031-05-20"}, "02000009"),
        ({"endDate": "2031-05-20"}, "02000009"),
        ({"startDate": "2031-05-21", "endDate": "2031-05-20"}, "02000009"),
        ({"startDate": "2031-02-30", "endDate": "2031-03-01"}, "02000008"),
        ({"startDate": "2031/05/20", "endDate": "2031-05-21"}, "02000008"),
        ({"startDate": "2031-05-20", "endDate": "2031-05-2"}, "02000008"),
        ({"startDate": "2031-05-20 00:00", "endDate": "2031-05-21"}, "02000003"),
        ({"startDate": "2031-04-20", "endDate": "2031-05-21"}, "02000007"),
        ({"batchId": "A"}, "0200001"),
    ],
)
def test_fail_category_refusals(failures, params, code):
    client, campaign_id, _ = failures
    assert_code(fail_categories(client, **{"campaignId": campaign_id, **params}), code)


def test_a_campaign_of_another_vdn_is_not_found(failures):
    client, campaign_id, _ = failures
    assert_code(fail_categories(client, vdn=13, campaignId=campaign_id), "0200007")
    assert_code(fail_categories(client, campaignId=987654), "0200007")
