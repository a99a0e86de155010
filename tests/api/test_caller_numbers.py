"""A campaign's calling numbers (docs/api.md#calling-numbers): add and delete."""

from __future__ import annotations

import threading

import pytest

from tests.support.api import (
    SUCCESS,
    add_numbers,
    assert_code,
    campaign_body,
    campaigns_path,
    claim,
    create_campaign,
    numbers,
    ok_json,
    rows,
)
from tests.support.stores import refuse

pytestmark = pytest.mark.usefixtures("backend")


def path(campaign_id: int, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/callerNo/{campaign_id}"


def body(*codes: str) -> dict:
    return {"callerNo": [{"accessCode": code} for code in codes]}


def entry(code: str, priority: int | None = None) -> dict:
    """A calling number as stored (as a v2 create stores it)."""
    return {"accessCode": code, "priority": priority}


def add(client, campaign_id: int, payload, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(path(campaign_id, vdn), json=payload))


def remove(client, campaign_id: int, payload, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.request("DELETE", path(campaign_id, vdn), json=payload))


def caller_no(client, campaign_id: int):  # type: ignore[no-untyped-def]
    answer = ok_json(client.get(f"{campaigns_path()}/{campaign_id}"))
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["callerNo"]


def create_v2(client, *entries: dict) -> int:  # type: ignore[no-untyped-def]
    answer = ok_json(
        client.post(
            campaigns_path(version=2), json=campaign_body(version=2, callerNo=list(entries))
        )
    )
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["id"]


def test_a_v1_string_becomes_a_list_when_numbers_are_added(client):
    campaign_id = create_campaign(client)
    assert caller_no(client, campaign_id) == "10086"
    answer = add(client, campaign_id, {"callerNo": [{"accessCode": "10010", "priority": 2}]})
    assert_code(answer, SUCCESS)
    expected = [entry("10086"), entry("10010", 2)]
    assert answer["returnObject"]["callerNo"] == expected
    assert caller_no(client, campaign_id) == expected


def test_add_to_a_v2_campaign_keeps_its_entries(client):
    campaign_id = create_v2(client, {"accessCode": "10086", "priority": 1})
    assert_code(add(client, campaign_id, body("20001", "20002")), SUCCESS)
    assert caller_no(client, campaign_id) == [entry("10086", 1), entry("20001"), entry("20002")]


def test_delete_keeps_the_rest_in_order_and_claims_use_the_first(client):
    campaign_id = create_campaign(client, init_status=0)
    assert_code(add(client, campaign_id, body("20001", "20002")), SUCCESS)
    answer = remove(client, campaign_id, body("10086", "20002"))
    assert_code(answer, SUCCESS)
    assert answer["returnObject"]["callerNo"] == [entry("20001")]
    assert caller_no(client, campaign_id) == [entry("20001")]
    add_numbers(client, campaign_id, numbers(1))
    [item] = claim(client, campaign_id, 1)
    assert item["callerNumber"] == "20001"


def test_at_least_one_calling_number_must_remain(client):
    v1 = create_campaign(client)
    answer = remove(client, v1, body("10086"))
    assert_code(answer, "0200001")
    assert caller_no(client, v1) == "10086"
    v2 = create_v2(client, {"accessCode": "1"}, {"accessCode": "2"})
    assert_code(remove(client, v2, body("1", "2")), "0200001")
    assert caller_no(client, v2) == [entry("1"), entry("2")]


def test_delete_refuses_numbers_the_campaign_does_not_have(client):
    campaign_id = create_v2(client, {"accessCode": "1"}, {"accessCode": "2"})
    answer = remove(client, campaign_id, body("1", "3"))
    assert_code(answer, "0200001")
    assert "3" in answer["resultDesc"]
    assert caller_no(client, campaign_id) == [entry("1"), entry("2")]


def test_duplicates_in_the_request_or_in_the_campaign(client):
    campaign_id = create_campaign(client)
    assert_code(add(client, campaign_id, body("1", "2", "1")), "0200018")
    assert_code(add(client, campaign_id, body("2", "10086")), "0200018")
    assert_code(remove(client, campaign_id, body("10086", "10086")), "0200018")
    assert caller_no(client, campaign_id) == "10086"


def test_the_total_per_campaign_is_limited(make_server):
    server = make_server(caller_numbers_max_total=3)
    with server.client() as client:
        campaign_id = create_campaign(client)
        assert_code(add(client, campaign_id, body("1", "2", "3")), "0200020")
        assert_code(add(client, campaign_id, body("1", "2")), SUCCESS)
        answer = add(client, campaign_id, body("3"))
        assert_code(answer, "0200020")
        assert caller_no(client, campaign_id) == [entry("10086"), entry("1"), entry("2")]


def test_concurrent_adds_lose_no_number(make_server):
    server = make_server()
    with server.client() as client:
        campaign_id = create_campaign(client)
    answers: list[str] = []

    def add_one(code: str) -> None:
        with server.client() as own:
            answers.append(add(own, campaign_id, body(code))["resultCode"])

    threads = [threading.Thread(target=add_one, args=(f"{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [SUCCESS] * 8
    [row] = rows(server.services, "campaigns", id=campaign_id)
    assert sorted(entry["accessCode"] for entry in row["caller_no"]) == sorted(
        ["10086", *(f"{n}" for n in range(8))]
    )


def test_unknown_campaign_or_of_another_vdn(client):
    other_vdn = create_campaign(client, vdn=13)
    for campaign_id in (other_vdn, 987654):
        assert_code(add(client, campaign_id, body("1")), "0200007")
        assert_code(remove(client, campaign_id, body("1")), "0200007")
    assert caller_no_of_vdn13(client, other_vdn) == "10086"


def caller_no_of_vdn13(client, campaign_id: int):  # type: ignore[no-untyped-def]
    return ok_json(client.get(f"{campaigns_path(13)}/{campaign_id}"))["returnObject"]["callerNo"]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "02000001"),
        ({"callerNo": []}, "02000001"),
        ({"callerNo": "10010"}, "02000006"),
        ({"callerNo": [{}]}, "02000001"),
        ({"callerNo": [{"accessCode": "10#"}]}, "02000002"),
        ({"callerNo": [{"accessCode": "1" * 25}]}, "02000003"),
        ({"callerNo": [{"accessCode": str(n)} for n in range(101)]}, "0200029"),
        ({"callerNo": [{"accessCode": "1", "priority": 6}]}, "02000007"),
        ({"callerNo": [{"accessCode": "1", "name": "x"}]}, "0200001"),
    ],
)
def test_add_rules(client, payload, code):
    campaign_id = create_campaign(client)
    assert_code(add(client, campaign_id, payload), code)
    assert caller_no(client, campaign_id) == "10086"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "02000001"),
        ({"callerNo": [{"accessCode": "1a"}]}, "02000002"),
        ({"callerNo": [{"accessCode": "1" * 25}]}, "02000003"),
        ({"callerNo": [{"accessCode": str(n)} for n in range(101)]}, "0200029"),
        ({"callerNo": [{"accessCode": "1", "priority": 1}]}, "0200001"),
    ],
)
def test_delete_rules(client, payload, code):
    campaign_id = create_v2(client, {"accessCode": "1"}, {"accessCode": "2"})
    assert_code(remove(client, campaign_id, payload), code)
    assert caller_no(client, campaign_id) == [entry("1"), entry("2")]


@pytest.mark.parametrize("operation", ["add", "delete"])
def test_store_failure(make_server, backend, operation):
    server = make_server()
    with server.client() as client:
        campaign_id = create_v2(client, {"accessCode": "1"}, {"accessCode": "2"})
        refuse(server, backend, "campaigns", "UPDATE")
        answer = (
            add(client, campaign_id, body("3"))
            if operation == "add"
            else remove(client, campaign_id, body("2"))
        )
        assert_code(answer, "0200006")
        assert caller_no(client, campaign_id) == [entry("1"), entry("2")]


@pytest.mark.parametrize(("campaign", "code"), [("x", "02000006"), ("0", "02000007")])
def test_path_campaign_id(client, campaign, code):
    url = f"/rest/isales/v1/openapi/campaigns/12/callerNo/{campaign}"
    assert_code(ok_json(client.post(url, json=body("1"))), code)
    assert_code(ok_json(client.request("DELETE", url, json=body("1"))), code)
