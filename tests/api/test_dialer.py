"""Dialer-facing interfaces: tasks, callnos, call/result, leases
(docs/api.md#dialer-facing-interfaces)."""

from __future__ import annotations

import pytest

from tests.support.api import (
    OBS,
    SUCCESS,
    MovableClock,
    add_numbers,
    claim,
    count,
    create_campaign,
    delete,
    numbers,
    report,
    rows,
    set_status,
    utc_now,
)

pytestmark = pytest.mark.usefixtures("backend")


def tasks(client, vdn=12) -> list[str]:
    answer = client.post(f"{OBS}/tasks", json={"subCCNo": 1, "vdnId": vdn}).json()
    assert answer["result"] == "0", answer
    return [item["serviceId"] for item in answer["resultData"]["taskData"]]


def states(server, campaign_id) -> dict[str, str]:
    return {
        str(r["id"]): r["state"] for r in rows(server.services, "numbers", campaign_id=campaign_id)
    }


def test_tasks_lists_only_campaigns_executing_now(make_server):
    noon = utc_now().replace(hour=12, minute=0, second=0, microsecond=0)
    clock = MovableClock(noon)
    server = make_server(clock=clock)
    with server.client((12, 13)) as dialer:
        executing = create_campaign(dialer, init_status=0)
        paused = create_campaign(dialer, init_status=1)
        evening = create_campaign(
            dialer, init_status=0, strBeginTime=noon.replace(hour=18).strftime("%Y-%m-%d %H:%M:%S")
        )
        other_vdn = create_campaign(dialer, vdn=13, init_status=0)
        assert tasks(dialer) == [str(executing)]
        assert tasks(dialer, vdn=13) == [str(other_vdn)]
        clock.advance(7 * 3600)
        assert tasks(dialer) == [str(executing), str(evening)]
        assert str(paused) not in tasks(dialer)


def test_vdn_in_the_body_must_be_granted(server):
    with server.client((12,)) as only_12:
        response = only_12.post(f"{OBS}/tasks", json={"subCCNo": 1, "vdnId": 13})
        assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [{"subCCNo": 1}, {"subCCNo": 1, "vdnId": "x"}, {"subCCNo": 1, "vdnId": 12, "extra": 1}, []],
)
def test_invalid_dialer_requests_answer_result_1(client, body):
    answer = client.post(f"{OBS}/tasks", json=body).json()
    assert answer["result"] == "1" and answer["resultDesc"]


def test_claim_makes_numbers_calling_and_never_twice(client, server):
    campaign_id = create_campaign(client, init_status=0)
    ids = add_numbers(client, campaign_id, numbers(5))
    first = claim(client, campaign_id, 3)
    second = claim(client, campaign_id, 3)
    third = claim(client, campaign_id, 3)
    got = [item["uniqueId"] for item in first + second]
    assert len(first) == 3 and len(second) == 2 and third == []
    assert sorted(got) == sorted(ids)
    assert set(states(server, campaign_id).values()) == {"calling"}
    item = first[0]
    assert item["serviceId"] == item["seviceId"] == str(campaign_id)
    assert item["phoneNumber"] == ["13800000000"] and item["callerNumber"] == "10086"
    assert item["version"] == "1" and item["ieData"] == ""


def test_claim_returns_every_number_of_a_v2_customer(client):
    campaign_id = create_campaign(client, init_status=0)
    answer = client.post(
        f"/rest/isales/v2/openapi/campaigns/12/calldata/{campaign_id}",
        json={
            "callDataList": [
                {
                    "sessionId": "c1",
                    "called": [{"calledNo": "111"}, {"calledNo": "222"}],
                    "callData": '{"a":1}',
                }
            ]
        },
    ).json()
    assert answer["resultCode"] == SUCCESS
    [item] = claim(client, campaign_id, 1)
    assert item["phoneNumber"] == ["111", "222"] and item["callData"] == '{"a":1}'


def test_paused_or_unknown_campaign_gives_nothing(client):
    paused = create_campaign(client, init_status=1)
    add_numbers(client, paused, numbers(2))
    assert claim(client, paused, 5) == []
    assert claim(client, 987654, 5) == []
    set_status(client, paused, "resume")
    assert len(claim(client, paused, 5)) == 2


def test_batch_count_limits(client):
    campaign_id = create_campaign(client, init_status=0)
    for batch in (0, 101, "x"):
        answer = client.post(
            f"{OBS}/callnos",
            json={"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": batch},
        ).json()
        assert answer["result"] == "1"


def test_result_completes_the_number_and_is_recorded(client, server):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, [{"called": "6001", "sessionId": "cust", "customField": "b"}])
    [item] = claim(client, campaign_id, 1)
    assert report(client, campaign_id, item["uniqueId"], status="5") == {"result": "0"}
    number = rows(server.services, "numbers", id=int(item["uniqueId"]))[0]
    assert (
        number["state"] == "completed" and number["attempts"] == 1 and number["lease_owner"] is None
    )
    [result] = rows(server.services, "call_results", data_id=int(item["uniqueId"]))
    assert (result["call_status"], result["fail_code"], result["session_id"], result["called"]) == (
        "5",
        "00603",
        "cust",
        "6001",
    )
    assert result["call_id"] == f"call-{item['uniqueId']}" and result["final"] == 1


def test_result_for_a_number_not_calling_is_refused_and_changes_nothing(client, server):
    campaign_id = create_campaign(client, init_status=0)
    [pending, claimed] = add_numbers(client, campaign_id, numbers(2))
    assert report(client, campaign_id, pending)["result"] == "2"
    [item] = claim(client, campaign_id, 1)
    assert item["uniqueId"] == pending
    assert report(client, campaign_id, item["uniqueId"])["result"] == "0"
    assert report(client, campaign_id, item["uniqueId"])["result"] == "2"  # already completed
    assert report(client, campaign_id, "999999999")["result"] == "2"
    assert report(client, 987654, item["uniqueId"])["result"] == "2"
    assert states(server, campaign_id) == {pending: "completed", claimed: "pending"}
    assert count(server.services, "call_results", campaign_id=campaign_id) == 1


def test_only_the_claiming_key_may_report(client, server):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(1))
    [item] = claim(client, campaign_id, 1)
    with server.client((12,)) as other_dialer:
        assert report(other_dialer, campaign_id, item["uniqueId"])["result"] == "2"
    assert states(server, campaign_id) == {item["uniqueId"]: "calling"}
    assert report(client, campaign_id, item["uniqueId"])["result"] == "0"


@pytest.mark.parametrize(
    "change",
    [
        {"status": "7"},
        {"status": None},
        {"uniqueId": "abc"},
        {"serviceId": "x"},
        {"phoneNumber": "12a"},
    ],
)
def test_malformed_results_are_refused(client, server, change):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(1))
    [item] = claim(client, campaign_id, 1)
    body = {
        "subCCNo": 1,
        "vdnId": 12,
        "serviceId": str(campaign_id),
        "uniqueId": item["uniqueId"],
        "status": "6",
        "failCode": "00000",
        **change,
    }
    assert client.post(f"{OBS}/call/result", json=body).json()["result"] == "1"
    assert states(server, campaign_id) == {item["uniqueId"]: "calling"}


def test_lapsed_claim_returns_to_its_earlier_state_without_counting(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=60)
    with server.client() as dialer:
        campaign_id = create_campaign(dialer, init_status=0)
        [data_id] = add_numbers(dialer, campaign_id, numbers(1))
        [item] = claim(dialer, campaign_id, 1)
        clock.advance(59)
        assert claim(dialer, campaign_id, 1) == []  # still leased
        clock.advance(2)
        [again] = claim(dialer, campaign_id, 1)  # the lapsed lease was released, then re-claimed
        assert again["uniqueId"] == item["uniqueId"] == data_id
        number = rows(server.services, "numbers", id=int(data_id))[0]
        assert number["attempts"] == 0 and number["state"] == "calling"
        clock.advance(61)
        assert server.services.dialer.release_lapsed_claims() == 1
        number = rows(server.services, "numbers", id=int(data_id))[0]
        assert (number["state"], number["attempts"], number["lease_owner"]) == ("pending", 0, None)
        # a late result for the lapsed claim is refused
        assert report(dialer, campaign_id, data_id)["result"] == "2"


def test_lapsed_retry_claim_goes_back_to_retry(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=10)
    with server.client() as dialer:
        campaign_id = create_campaign(dialer, init_status=0)
        [data_id] = add_numbers(dialer, campaign_id, numbers(1))
        from tests.support.api import execute_sql

        execute_sql(
            server.services,
            f"UPDATE numbers SET state = 'retry', attempts = 1 WHERE id = {data_id}",
        )
        claim(dialer, campaign_id, 1)
        clock.advance(11)
        server.services.dialer.release_lapsed_claims()
        number = rows(server.services, "numbers", id=int(data_id))[0]
        assert (number["state"], number["attempts"]) == ("retry", 1)


def test_pause_stops_claims_and_delete_keeps_claimed(client, server):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(4, customField="z"))
    claimed = claim(client, campaign_id, 2)
    assert set_status(client, campaign_id, "pause")["resultCode"] == SUCCESS
    assert claim(client, campaign_id, 2) == []
    answer = delete(client, campaign_id, {"customField": "z", "archiveHistory": 1})
    assert answer["successCount"] == 2
    left = states(server, campaign_id)
    assert left == {item["uniqueId"]: "calling" for item in claimed}


def test_a_result_after_the_lease_ran_out_is_refused_even_before_the_sweep(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=30)
    with server.client() as dialer:
        campaign_id = create_campaign(dialer, init_status=0)
        add_numbers(dialer, campaign_id, numbers(1))
        [item] = claim(dialer, campaign_id, 1)
        clock.advance(31)
        assert report(dialer, campaign_id, item["uniqueId"])["result"] == "2"
        assert count(server.services, "call_results", campaign_id=campaign_id) == 0


def test_deletes_release_lapsed_claims_first(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=30)
    with server.client() as dialer:
        campaign_id = create_campaign(dialer, init_status=0)
        add_numbers(dialer, campaign_id, numbers(2, customField="lapsed"))
        claim(dialer, campaign_id, 2)
        set_status(dialer, campaign_id, "pause")
        assert delete(dialer, campaign_id, {"customField": "lapsed"})["resultCode"] == "0200028"
        answer = dialer.delete(f"/rest/isales/v1/openapi/campaigns/12/{campaign_id}").json()
        assert answer["resultCode"] == "0200009"
        clock.advance(31)
        assert delete(dialer, campaign_id, {"customField": "lapsed"})["successCount"] == 2
        answer = dialer.delete(f"/rest/isales/v1/openapi/campaigns/12/{campaign_id}").json()
        assert answer["resultCode"] == SUCCESS


def test_a_special_date_turns_today_into_a_holiday(make_server):
    clock = MovableClock(utc_now().replace(hour=10, minute=0, second=0, microsecond=0))
    server = make_server(clock=clock)
    workday_only = {"workdayBeginTime1": "09:00", "workdayEndTime1": "17:00"}
    with server.client() as dialer:
        holiday = create_campaign(dialer, init_status=0, scheduleParam=workday_only)
        plain = create_campaign(dialer, init_status=0, scheduleParam=workday_only)
        add_numbers(dialer, holiday, numbers(1))
        weekday = str(clock().isoweekday())
        answer = dialer.post(
            f"/rest/isales/v1/openapi/campaigns/12/holiday/{holiday}",
            json={"name": "today", "type": 1, "week": weekday},
        ).json()
        assert answer["resultCode"] == SUCCESS, answer
        assert tasks(dialer) == [str(plain)]  # no holiday windows: no calls today
        assert claim(dialer, holiday, 1) == []
        clock.advance(24 * 3600)  # tomorrow is a workday again
        assert tasks(dialer) == [str(holiday), str(plain)]
