"""Reserved calls (docs/api.md, "Reserved calls"): create, delete, list, update result, and
dialling them — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from isales.domain.reservations import ID_BASE
from tests.support.api import (
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    create_campaign,
    numbers,
    ok_json,
    rows,
    utc_now,
)
from tests.support.dialer import instant, make_dialer, wait_until

pytestmark = pytest.mark.usefixtures("backend")

OBS = "/rest/isales/v1/openapi/obs/business"


def path(action: str, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/appoint/{action}"


def millis(moment) -> int:  # type: ignore[no-untyped-def]
    return int(moment.replace(tzinfo=UTC).timestamp() * 1000)


def reserve(client, campaign_id: int, at, call_type: int = 2, **extra) -> dict:  # type: ignore[no-untyped-def]
    body = {
        "callType": call_type,
        "calledNo": "13800000001",
        "taskId": str(campaign_id),
        "appointTime": millis(at),
        **({"userAccount": "agent1"} if call_type == 1 else {}),
        **extra,
    }
    return ok_json(client.post(path("create"), json=body))


def listed(client, **body) -> dict:  # type: ignore[no-untyped-def]
    answer = ok_json(client.post(path("list"), json={"offset": 0, "limit": 100, **body}))
    assert_code(answer, SUCCESS)
    return answer


def test_create_list_update_and_delete(client):
    campaign_id = create_campaign(client)
    at = utc_now().replace(microsecond=0) + timedelta(days=1)
    created = reserve(client, campaign_id, at, call_type=1, remark="call back after lunch")
    assert_code(created, SUCCESS)
    appoint_id = created["returnObject"]["id"]
    assert int(appoint_id) > ID_BASE

    [item] = listed(client, taskId=str(campaign_id))["data"]
    assert (item["appointId"], item["status"], item["appointTime"]) == (appoint_id, "0", millis(at))
    assert (item["userAccount"], item["remark"]) == ("agent1", "call back after lunch")
    assert (
        listed(client, userAccountList=["someone-else"], taskId=str(campaign_id))["totalCount"] == 0
    )
    assert (
        listed(client, calledNo="13800000001", beginTime=millis(at), endTime=millis(at))[
            "totalCount"
        ]
        >= 1
    )

    result = {"appointId": appoint_id, "failCode": "00000", "callId": "c-1", "busiResult": "OK"}
    assert_code(ok_json(client.post(path("updateResult"), json=result)), SUCCESS)
    [item] = listed(client, taskId=str(campaign_id))["data"]
    assert (item["status"], item["failCode"], item["callId"], item["busiResult"]) == (
        "2",
        "00000",
        "c-1",
        "OK",
    )
    # executed: it can no longer be deleted
    gone = ok_json(client.post(path("delete"), json={"appointId": appoint_id}))
    assert_code(gone, "04000005")

    second = reserve(client, campaign_id, at)["returnObject"]["id"]
    assert_code(ok_json(client.post(path("delete"), json={"appointId": second})), SUCCESS)
    assert_code(ok_json(client.post(path("delete"), json={"appointId": second})), "04000004")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"callType": 3}, "02000007"),
        ({"callType": None}, "02000001"),
        ({"calledNo": "12a"}, "02000002"),
        ({"calledNo": "1" * 25}, "02000003"),
        ({"taskId": None}, "02000001"),
        ({"taskId": "x1"}, "02000002"),
        ({"taskId": "999999"}, "0200007"),
        ({"appointTime": "tomorrow"}, "02000006"),
        ({"appointTime": -1}, "02000007"),
        ({"callData": "x" * 1025}, "02000003"),
        ({"remark": "r" * 257}, "02000003"),
        ({"extra": 1}, "0200001"),
    ],
)
def test_create_rules(client, change, code):
    campaign_id = create_campaign(client)
    body = {
        "callType": 2,
        "calledNo": "13800000001",
        "taskId": str(campaign_id),
        "appointTime": millis(utc_now() + timedelta(hours=1)),
        **change,
    }
    answer = ok_json(client.post(path("create"), json=body))
    assert_code(answer, code)


def test_manual_calls_name_their_agent_and_carry_no_call_data(client):
    campaign_id = create_campaign(client)
    at = utc_now() + timedelta(hours=1)
    body = {"callType": 1, "calledNo": "1", "taskId": str(campaign_id), "appointTime": millis(at)}
    assert_code(ok_json(client.post(path("create"), json=body)), "02000001")
    body.update(workNo="1001", callData="{}")
    assert_code(ok_json(client.post(path("create"), json=body)), "02000009")


def test_other_vdns_and_unknown_ids(client):
    campaign_id = create_campaign(client)
    appoint_id = reserve(client, campaign_id, utc_now() + timedelta(hours=1))["returnObject"]["id"]
    other = ok_json(client.post(path("delete", vdn=13), json={"appointId": appoint_id}))
    assert_code(other, "04000004")
    for unknown in ("1", str(ID_BASE), str(2**63)):
        answer = ok_json(client.post(path("updateResult"), json={"appointId": unknown}))
        assert_code(answer, "04000004")
    assert_code(ok_json(client.post(path("list"), json={"offset": 0})), "02000001")
    assert_code(ok_json(client.post(path("list"), json={"offset": 0, "limit": 101})), "02000007")


def test_the_dialer_dials_reserved_calls_at_their_time_and_first(make_server):
    start = utc_now().replace(microsecond=0)
    clock = MovableClock(start)
    server = make_server(clock=clock)
    at = start + timedelta(minutes=30)
    with server.client() as admin:
        campaign_id = create_campaign(admin, init_status=0)
        automatic = reserve(admin, campaign_id, at, callData='{"a":1}')["returnObject"]["id"]
        manual = reserve(admin, campaign_id, at, call_type=1)["returnObject"]["id"]

        clock.now = at - timedelta(minutes=6)
        dialer = make_dialer(server, instant())
        assert dialer.step() == 0

        clock.now = at - timedelta(minutes=4)  # automatic calls go 5 minutes early
        assert dialer.step() == 1
        wait_until(lambda: dialer.in_flight == 0)
        by_id = {i["appointId"]: i for i in listed(admin, taskId=str(campaign_id))["data"]}
        assert (by_id[automatic]["status"], by_id[automatic]["callStatus"]) == ("2", "6")
        assert by_id[manual]["status"] == "0"

        # at its time the manual one is claimed before the campaign's due numbers
        add_numbers(admin, campaign_id, numbers(3))
        clock.now = at
        claim = admin.post(
            OBS + "/callnos",
            json={"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 2},
        ).json()
        assert claim["result"] == "0"
        assert [item["uniqueId"] for item in claim["resultData"]][0] == manual
        assert claim["resultData"][0]["phoneNumber"] == ["13800000001"]
        assert len(claim["resultData"]) == 2
        report = {
            "subCCNo": 1,
            "vdnId": 12,
            "serviceId": str(campaign_id),
            "uniqueId": manual,
            "status": "5",
            "failCode": "00603",
        }
        assert admin.post(OBS + "/call/result", json=report).json()["result"] == "0"
        # a second report of the same reserved call is refused
        assert admin.post(OBS + "/call/result", json=report).json()["result"] == "2"
    [row] = rows(server.services, "reservations", id=int(manual) - ID_BASE)
    assert (row["state"], row["fail_code"]) == ("executed", "00603")


def test_a_paused_campaign_does_not_dial_its_reserved_calls(make_server):
    clock = MovableClock()
    server = make_server(clock=clock)
    with server.client() as admin:
        campaign_id = create_campaign(admin, init_status=1)
        reserve(admin, campaign_id, clock.now + timedelta(minutes=1))
    clock.advance(120)
    dialer = make_dialer(server, instant())
    assert dialer.step() == 0
    [row] = rows(server.services, "reservations", campaign_id=campaign_id)
    assert row["state"] == "pending"


def test_modify_a_manual_reserved_call_not_yet_dialled(client, server):
    campaign_id = create_campaign(client)
    at = utc_now().replace(microsecond=0) + timedelta(hours=2)
    manual = reserve(client, campaign_id, at, call_type=1)["returnObject"]["id"]
    later = at + timedelta(hours=1)
    body = {"appointId": manual, "appointTime": millis(later), "remark": "moved", "workNo": "7"}
    assert_code(ok_json(client.post(path("update"), json=body)), SUCCESS)
    [row] = rows(server.services, "reservations", id=int(manual) - ID_BASE)
    assert (row["appoint_at"], row["due_at"], row["remark"], row["work_no"]) == (
        later,
        later,
        "moved",
        "7",
    )
    automatic = reserve(client, campaign_id, at)["returnObject"]["id"]
    answer = ok_json(client.post(path("update"), json={"appointId": automatic, "remark": "x"}))
    assert_code(answer, "0200001")
    client.post(path("updateResult"), json={"appointId": manual, "failCode": "00000"})
    answer = ok_json(client.post(path("update"), json={"appointId": manual, "remark": "y"}))
    assert_code(answer, "04000005")
    answer = ok_json(client.post(path("update"), json={"appointId": "5", "remark": "y"}))
    assert_code(answer, "04000004")


def test_create_answers_appoint_id_and_id_and_list_items_name_their_campaign(make_server):
    # Huawei's create table names the new id appointId, its example id: both are answered.
    # Its list table adds taskName, taskStatus, timeout and userName to every item.
    clock = MovableClock()
    server = make_server(clock=clock)
    with server.client() as client:
        campaign_id = create_campaign(client, init_status=1, name="list-fields")
        created = reserve(client, campaign_id, clock.now + timedelta(minutes=10), call_type=1)
        assert_code(created, SUCCESS)
        returned = created["returnObject"]
        assert returned["appointId"] == returned["id"]
        assert int(returned["appointId"]) > ID_BASE

        [item] = listed(client, taskId=str(campaign_id))["data"]
        assert item["appointId"] == returned["appointId"]
        assert (item["taskName"], item["userName"], item["timeout"]) == (
            "list-fields",
            "agent1",
            False,
        )
        status = ok_json(client.get(f"/rest/isales/v1/openapi/campaigns/12/{campaign_id}"))
        assert item["taskStatus"] == str(status["returnObject"]["status"])

        clock.advance(11 * 60)
        [item] = listed(client, taskId=str(campaign_id))["data"]
        assert item["timeout"] is True
