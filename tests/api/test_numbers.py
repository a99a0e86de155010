"""Adding numbers (v1 and v2) and querying one number (docs/api.md#numbers), on SQLite and
PostgreSQL."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest

from tests.support.api import (
    SUCCESS,
    assert_code,
    calldata_path,
    claim,
    count,
    create_campaign,
    execute_sql,
    numbers,
    ok_json,
    report,
    rows,
    set_status,
)

pytestmark = pytest.mark.usefixtures("backend")


def add_v1(client, campaign_id, records: Any, vdn: int = 12, **top: Any) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(
        client.post(calldata_path(campaign_id, vdn), json={"callDataList": records, **top})
    )


def new_batch(client, campaign_id: int, name: str) -> str:  # type: ignore[no-untyped-def]
    """A call batch of the campaign (a v2 batchId must name one)."""
    answer = client.post(
        f"/rest/isales/v1/openapi/campaigns/12/callbatch/{campaign_id}/create", json={"name": name}
    ).json()
    assert_code(answer, SUCCESS)
    return answer["returnObject"]["id"]


def add_v2(client, campaign_id, records: Any, vdn: int = 12, **top: Any) -> dict:  # type: ignore[no-untyped-def]
    body = {"callDataList": records, **top}
    return ok_json(client.post(calldata_path(campaign_id, vdn, version=2), json=body))


def add_numbers_ids(client, campaign_id: int, how_many: int, vdn: int = 12) -> list[str]:  # type: ignore[no-untyped-def]
    answer = add_v1(client, campaign_id, numbers(how_many, prefix="1500000"), vdn=vdn)
    assert_code(answer, SUCCESS)
    return [item["dataId"] for item in answer["returnObject"]["dataIdList"]]


def customer(session: str | None, *called: str, **fields: Any) -> dict[str, Any]:
    """One v2 record: a customer with one or more numbers."""
    record: dict[str, Any] = {"called": [{"calledNo": c} for c in called], **fields}
    if session is not None:
        record["sessionId"] = session
    return record


def query(client, campaign_id, data_id, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.get(f"{calldata_path(campaign_id, vdn)}/{data_id}"))


def props(answer: dict) -> dict[str, str]:
    return {p["propCode"]: p["propValue"] for p in answer["data"]["properties"]}


def stored(server, campaign_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    return sorted(rows(server.services, "numbers", campaign_id=campaign_id), key=lambda r: r["id"])


def end_campaign(services: Any, campaign_id: int) -> None:
    execute_sql(
        services, f"UPDATE campaigns SET end_time = '2000-01-01 00:00:00' WHERE id = {campaign_id}"
    )


@pytest.fixture
def campaign(client) -> int:
    """A fresh paused campaign of VDN 12."""
    return create_campaign(client)


# --- add v1 ---------------------------------------------------------------------------------------


def test_add_v1_answer(client, server, campaign):
    records = [
        {
            "sessionId": "cust-1",
            "called": "13800000001",
            "caller": "10010",
            "customField": "b1",
            "recycleTime": "2030-01-02 03:04:05",
            "callData": '{"name":"Li"}',
        },
        {"called": "13800000002"},
        {"called": "*123#"},
    ]
    answer = add_v1(client, campaign, records)
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == "create data succeeded"
    listed = answer["returnObject"]["dataIdList"]
    assert answer["returnObject"]["datalist"] == listed
    assert answer["returnObject"]["totalSize"] == 3
    assert [item["called"] for item in listed] == ["13800000001", "13800000002", "*123#"]
    ids = [item["dataId"] for item in listed]
    assert all(isinstance(i, str) and i.isdigit() for i in ids)
    assert [int(i) for i in ids] == sorted(int(i) for i in ids) and len(set(ids)) == 3
    saved = stored(server, campaign)
    assert [str(r["id"]) for r in saved] == ids
    first = saved[0]
    assert (first["session_id"], first["called"], first["caller"], first["custom_field"]) == (
        "cust-1",
        "13800000001",
        "10010",
        "b1",
    )
    assert first["recycle_time"] == datetime(2030, 1, 2, 3, 4, 5)
    assert first["call_data"] == '{"name":"Li"}'
    assert (first["state"], first["attempts"], first["vdn_id"]) == ("pending", 0, 12)
    assert (saved[1]["session_id"], saved[1]["caller"], saved[1]["recycle_time"]) == (
        None,
        None,
        None,
    )


def test_total_size_counts_the_uncompleted_numbers_of_the_campaign(client, campaign):
    assert add_v1(client, campaign, numbers(2, prefix="1390000"))["returnObject"]["totalSize"] == 2
    assert add_v1(client, campaign, numbers(3, prefix="1391000"))["returnObject"]["totalSize"] == 5
    set_status(client, campaign, "resume")
    claimed = claim(client, campaign, 2)
    report(client, campaign, claimed[0]["uniqueId"])  # completed: no longer counted
    set_status(client, campaign, "pause")
    assert add_v1(client, campaign, numbers(1, prefix="1392000"))["returnObject"]["totalSize"] == 5


def test_twenty_records_per_call(client, server, campaign):
    answer = add_v1(client, campaign, numbers(20))
    assert_code(answer, SUCCESS)
    assert len(answer["returnObject"]["dataIdList"]) == 20
    assert count(server.services, "numbers", campaign_id=campaign) == 20


def test_same_number_in_two_requests_is_allowed(client, server, campaign):
    assert_code(add_v1(client, campaign, [{"called": "5551"}]), SUCCESS)
    assert_code(add_v1(client, campaign, [{"called": "5551"}]), SUCCESS)
    assert count(server.services, "numbers", campaign_id=campaign, called="5551") == 2


def test_adding_to_an_executing_campaign_is_allowed(client, server):
    campaign_id = create_campaign(client, init_status=0)
    assert_code(add_v1(client, campaign_id, numbers(2)), SUCCESS)
    assert count(server.services, "numbers", campaign_id=campaign_id) == 2


def test_number_given_as_json_number(client, server, campaign):
    answer = add_v1(client, campaign, [{"called": 8613800000000, "sessionId": 42}])
    assert answer["returnObject"]["dataIdList"][0]["called"] == "8613800000000"
    (row,) = stored(server, campaign)
    assert (row["called"], row["session_id"]) == ("8613800000000", "42")


def test_v1_custom_field_may_hold_special_characters(client, server, campaign):
    assert_code(add_v1(client, campaign, [{"called": "1", "customField": "a.b@c#{d}"}]), SUCCESS)
    assert stored(server, campaign)[0]["custom_field"] == "a.b@c#{d}"


def test_edge_lengths_are_accepted(client, server, campaign):
    record = {
        "sessionId": "s" * 32,
        "called": "1" * 24,
        "caller": "2" * 24,
        "customField": "c" * 200,
        "callData": "d" * 1024,
    }
    assert_code(add_v1(client, campaign, [record]), SUCCESS)
    row = stored(server, campaign)[0]
    assert (len(row["session_id"]), len(row["called"]), len(row["call_data"])) == (32, 24, 1024)


V1_RULES = [
    ("too-many", numbers(21), "0200029"),
    ("empty-list", [], "02000001"),
    ("null-list", None, "02000001"),
    ("list-is-object", {"called": "1"}, "02000006"),
    ("list-is-string", "13800000000", "02000006"),
    ("item-is-string", ["13800000000"], "02000006"),
    ("item-is-list", [["13800000000"]], "02000006"),
    ("item-is-null", [None], "02000001"),
    ("duplicate-called", [{"called": "1001"}, {"called": "1002"}, {"called": "1001"}], "0200018"),
    (
        "duplicate-other-sessions",
        [{"called": "1001", "sessionId": "a"}, {"called": "1001", "sessionId": "b"}],
        "0200018",
    ),
    ("called-missing", [{"sessionId": "s1"}], "02000001"),
    ("called-empty", [{"called": ""}], "02000001"),
    ("called-null", [{"called": "1"}, {"called": None}], "02000001"),
    ("called-letters", [{"called": "1380abc"}], "02000002"),
    ("called-plus", [{"called": "+8613800000000"}], "02000002"),
    ("called-space", [{"called": "138 0000"}], "02000002"),
    ("called-float", [{"called": 1.5}], "02000002"),
    ("called-25", [{"called": "1" * 25}], "02000003"),
    ("called-bool", [{"called": True}], "02000006"),
    ("called-object", [{"called": {"calledNo": "1"}}], "02000006"),
    ("caller-letters", [{"called": "1", "caller": "abc"}], "02000002"),
    ("caller-25", [{"called": "1", "caller": "2" * 25}], "02000003"),
    ("session-33", [{"called": "1", "sessionId": "s" * 33}], "02000003"),
    ("custom-201", [{"called": "1", "customField": "c" * 201}], "02000003"),
    ("recycle-date-only", [{"called": "1", "recycleTime": "2030-01-01"}], "0200030"),
    ("recycle-month-13", [{"called": "1", "recycleTime": "2030-13-01 00:00:00"}], "0200030"),
    ("recycle-feb-30", [{"called": "1", "recycleTime": "2030-02-30 10:00:00"}], "0200030"),
    ("recycle-iso", [{"called": "1", "recycleTime": "2030-01-01T10:00:00"}], "0200030"),
    ("recycle-number", [{"called": "1", "recycleTime": 20300101}], "0200030"),
    ("calldata-1025", [{"called": "1", "callData": "d" * 1025}], "02000003"),
    ("calldata-object", [{"called": "1", "callData": {"k": "v"}}], "02000006"),
    ("unknown-field", [{"called": "1", "calledNo": "2"}], "0200001"),
    ("v2-field-in-v1", [{"called": [{"calledNo": "1"}]}], "02000006"),
    ("bad-after-good", [{"called": "1"}, {"called": "2"}, {"called": "x"}], "02000002"),
]


@pytest.mark.parametrize(("records", "code"), [pytest.param(r, c, id=i) for i, r, c in V1_RULES])
def test_add_v1_rules(client, server, campaign, records, code):
    assert_code(add_v1(client, campaign, records), code)
    assert count(server.services, "numbers", campaign_id=campaign) == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"callDataList": [{"called": "1"}], "batchId": "b1"}, "0200001"),
        ({"calldatalist": [{"called": "1"}]}, "0200001"),
    ],
)
def test_add_v1_top_level(client, server, campaign, body, code):
    assert_code(ok_json(client.post(calldata_path(campaign), json=body)), code)
    assert count(server.services, "numbers", campaign_id=campaign) == 0


@pytest.mark.parametrize("version", [1, 2])
def test_add_needs_a_json_content_type(client, campaign, version):
    answer = ok_json(
        client.post(
            calldata_path(campaign, version=version),
            content=b'{"callDataList": []}',
            content_type="text/plain",
        )
    )
    assert_code(answer, "0200001")


def test_duplicates_are_reported_by_number(client, campaign):
    answer = add_v1(client, campaign, [{"called": "777"}, {"called": "888"}, {"called": "777"}])
    assert "777" in answer["resultDesc"] and "888" not in answer["resultDesc"]


@pytest.mark.parametrize("version", [1, 2])
def test_add_to_unknown_campaign(client, version):
    records = numbers(1) if version == 1 else [customer("s", "1")]
    adder = add_v1 if version == 1 else add_v2
    assert_code(adder(client, 987654, records), "0200007")


def test_add_to_campaign_of_another_vdn(client, server):
    other = create_campaign(client, vdn=13)
    assert_code(add_v1(client, other, numbers(1), vdn=12), "0200007")
    assert_code(add_v2(client, other, [customer("s", "1")], vdn=12), "0200007")
    assert count(server.services, "numbers", campaign_id=other) == 0


@pytest.mark.parametrize("init_status", [0, 1])
def test_add_to_completed_campaign(client, server, init_status):
    campaign_id = create_campaign(client, init_status=init_status)
    end_campaign(server.services, campaign_id)
    assert_code(add_v1(client, campaign_id, numbers(2)), "0200019")
    assert_code(add_v2(client, campaign_id, [customer("s", "1")]), "0200019")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


@pytest.mark.parametrize(
    ("campaign_id", "code"), [("abc", "02000006"), ("0", "02000007"), ("2147483648", "02000007")]
)
def test_add_path_campaign_id(client, campaign_id, code):
    path = f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}"
    assert_code(ok_json(client.post(path, json={"callDataList": numbers(1)})), code)


# --- limits: uncompleted cap and call frequency ---------------------------------------------------


def test_uncompleted_cap(make_server):
    server = make_server(max_uncompleted_per_campaign=5)
    with server.client() as signed:
        campaign_id = create_campaign(signed)
        answer = add_v1(signed, campaign_id, numbers(6))
        assert_code(answer, "0200020")
        assert count(server.services, "numbers", campaign_id=campaign_id) == 0
        assert add_v1(signed, campaign_id, numbers(3))["returnObject"]["totalSize"] == 3
        assert_code(add_v1(signed, campaign_id, numbers(3, prefix="1391000")), "0200020")
        assert_code(
            add_v2(signed, campaign_id, [customer(f"s{i}", f"3{i}") for i in range(3)]), "0200020"
        )
        assert count(server.services, "numbers", campaign_id=campaign_id) == 3
        assert (
            add_v1(signed, campaign_id, numbers(2, prefix="1392000"))["returnObject"]["totalSize"]
            == 5
        )
        assert_code(add_v1(signed, campaign_id, numbers(1, prefix="1393000")), "0200020")


def test_completed_numbers_free_the_cap(make_server):
    server = make_server(max_uncompleted_per_campaign=2)
    with server.client() as signed:
        campaign_id = create_campaign(signed, init_status=0)
        add_v1(signed, campaign_id, numbers(2))
        assert_code(add_v1(signed, campaign_id, numbers(1, prefix="1391000")), "0200020")
        (item,) = claim(signed, campaign_id, 1)
        assert_code(
            add_v1(signed, campaign_id, numbers(1, prefix="1391000")), "0200020"
        )  # calling counts
        assert report(signed, campaign_id, item["uniqueId"])["result"] == "0"
        answer = add_v1(signed, campaign_id, numbers(1, prefix="1391000"))
        assert_code(answer, SUCCESS)
        assert answer["returnObject"]["totalSize"] == 2


def test_cap_is_per_campaign(make_server):
    server = make_server(max_uncompleted_per_campaign=3)
    with server.client() as signed:
        first, second = create_campaign(signed), create_campaign(signed)
        assert_code(add_v1(signed, first, numbers(3)), SUCCESS)
        assert_code(add_v1(signed, second, numbers(3)), SUCCESS)


def test_second_quick_add_is_refused(make_server):
    server = make_server(add_min_interval_enabled=True)
    with server.client() as signed:
        campaign_id = create_campaign(signed)
        assert_code(add_v1(signed, campaign_id, numbers(1)), SUCCESS)
        assert_code(add_v1(signed, campaign_id, numbers(1, prefix="1391000")), "0200022")
        assert_code(add_v2(signed, campaign_id, [customer("s", "9")]), "0200022")
        assert count(server.services, "numbers", campaign_id=campaign_id) == 1
        # the interval is per campaign
        other = create_campaign(signed)
        assert_code(add_v1(signed, other, numbers(1)), SUCCESS)


def test_add_allowed_again_after_the_interval(make_server):
    server = make_server(add_min_interval_enabled=True, add_min_interval_seconds=0.3)
    with server.client() as signed:
        campaign_id = create_campaign(signed)
        assert_code(add_v1(signed, campaign_id, numbers(1)), SUCCESS)
        time.sleep(0.4)
        assert_code(add_v1(signed, campaign_id, numbers(1, prefix="1391000")), SUCCESS)
        assert count(server.services, "numbers", campaign_id=campaign_id) == 2


def test_no_interval_by_default(client, campaign):
    for i in range(3):
        assert_code(add_v1(client, campaign, [{"called": f"40{i}"}]), SUCCESS)


# --- add v2 ---------------------------------------------------------------------------------------


def test_add_v2_several_numbers_per_customer(client, server, campaign):
    record = {
        "sessionId": "c1",
        "caller": "10010",
        "customField": "vip",
        "callData": "x",
        "recycleTime": "2030-05-06 07:08:09",
        "called": [
            {"calledNo": "111", "delayTime": 30, "type": "mobile"},
            {"calledNo": "222", "delayTime": "0"},
            {"calledNo": "333", "type": "home"},
        ],
    }
    batch_id = new_batch(client, campaign, "batch-9")
    answer = add_v2(client, campaign, [record, customer("c2", "444")], batchId=batch_id)
    assert_code(answer, SUCCESS)
    listed = answer["returnObject"]["dataIdList"]
    assert [item["called"] for item in listed] == ["111", "444"]
    assert answer["returnObject"]["datalist"] == listed and answer["returnObject"]["totalSize"] == 2
    first, second = stored(server, campaign)
    assert str(first["id"]) == listed[0]["dataId"]
    assert first["called"] == "111"
    assert first["called_nos"] == [
        {"calledNo": "111", "delayTime": 30, "type": "mobile"},
        {"calledNo": "222", "delayTime": 0},
        {"calledNo": "333", "type": "home"},
    ]
    assert (first["session_id"], first["caller"], first["custom_field"], first["call_data"]) == (
        "c1",
        "10010",
        "vip",
        "x",
    )
    assert first["recycle_time"] == datetime(2030, 5, 6, 7, 8, 9)
    assert first["batch_id"] == second["batch_id"] == batch_id
    assert second["called_nos"] == [{"calledNo": "444"}]


def test_add_v2_without_batch_id(client, server, campaign):
    assert_code(add_v2(client, campaign, [customer("c1", "1")]), SUCCESS)
    assert stored(server, campaign)[0]["batch_id"] is None


def test_same_number_for_two_customers_is_allowed(client, server, campaign):
    answer = add_v2(client, campaign, [customer("c1", "5550", "5551"), customer("c2", "5550")])
    assert_code(answer, SUCCESS)
    assert count(server.services, "numbers", campaign_id=campaign) == 2


def test_one_customer_in_two_records_with_other_numbers(client, server, campaign):
    answer = add_v2(client, campaign, [customer("c1", "5550"), customer("c1", "5551")])
    assert_code(answer, SUCCESS)
    assert count(server.services, "numbers", campaign_id=campaign, session_id="c1") == 2


def test_twenty_numbers_per_customer(client, server, campaign):
    called = [f"60{i:02d}" for i in range(20)]
    assert_code(add_v2(client, campaign, [customer("c1", *called)]), SUCCESS)
    assert len(stored(server, campaign)[0]["called_nos"]) == 20


def test_v2_custom_field_without_special_characters(client, server, campaign):
    assert_code(
        add_v2(client, campaign, [customer("c1", "1", customField="batch-7_b 中文")]), SUCCESS
    )
    assert stored(server, campaign)[0]["custom_field"] == "batch-7_b 中文"


def test_v2_delay_time_bounds(client, campaign):
    record = {
        "sessionId": "c",
        "called": [{"calledNo": "1", "delayTime": 0}, {"calledNo": "2", "delayTime": 7200}],
    }
    assert_code(add_v2(client, campaign, [record]), SUCCESS)


V2_RULES = [
    ("too-many", [customer(f"s{i}", f"1{i:03d}") for i in range(21)], {}, "0200029"),
    ("empty-list", [], {}, "02000001"),
    ("same-session-same-number", [customer("s1", "100"), customer("s1", "100")], {}, "0200018"),
    ("same-number-twice-in-one-record", [customer("s1", "100", "200", "100")], {}, "0200018"),
    ("no-session-same-number", [customer(None, "100"), customer(None, "100")], {}, "0200018"),
    ("called-missing", [{"sessionId": "s1"}], {}, "02000001"),
    ("called-empty-list", [{"sessionId": "s1", "called": []}], {}, "02000001"),
    ("called-as-string", [{"sessionId": "s1", "called": "13800000000"}], {}, "02000006"),
    ("called-item-string", [{"sessionId": "s1", "called": ["13800000000"]}], {}, "02000006"),
    ("called-no-missing", [{"sessionId": "s1", "called": [{"type": "mobile"}]}], {}, "02000001"),
    ("called-no-letters", [customer("s1", "12ab")], {}, "02000002"),
    ("called-no-25", [customer("s1", "1" * 25)], {}, "02000003"),
    (
        "21-numbers-per-customer",
        [customer("s1", *[f"7{i:02d}" for i in range(21)])],
        {},
        "02000011",
    ),
    ("called-item-unknown", [{"called": [{"calledNo": "1", "priority": 1}]}], {}, "0200001"),
    ("delay-7201", [{"called": [{"calledNo": "1", "delayTime": 7201}]}], {}, "02000007"),
    ("delay-negative", [{"called": [{"calledNo": "1", "delayTime": -1}]}], {}, "02000007"),
    ("delay-text", [{"called": [{"calledNo": "1", "delayTime": "soon"}]}], {}, "02000006"),
    ("delay-float", [{"called": [{"calledNo": "1", "delayTime": 1.5}]}], {}, "02000006"),
    ("type-33", [{"called": [{"calledNo": "1", "type": "t" * 33}]}], {}, "02000003"),
    ("custom-dot", [customer("s1", "1", customField="a.b")], {}, "02000002"),
    ("custom-at", [customer("s1", "1", customField="a@b")], {}, "02000002"),
    ("custom-quote", [customer("s1", "1", customField="it's")], {}, "02000002"),
    ("custom-brackets", [customer("s1", "1", customField="[x]")], {}, "02000002"),
    ("custom-fullwidth-comma", [customer("s1", "1", customField="a，b")], {}, "02000002"),
    ("custom-fullwidth-paren", [customer("s1", "1", customField="（x）")], {}, "02000002"),
    ("custom-201", [customer("s1", "1", customField="c" * 201)], {}, "02000003"),
    ("session-33", [customer("s" * 33, "1")], {}, "02000003"),
    ("recycle-bad", [customer("s1", "1", recycleTime="2030-01-01 25:00:00")], {}, "0200030"),
    ("calldata-1025", [customer("s1", "1", callData="d" * 1025)], {}, "02000003"),
    ("unknown-record-field", [customer("s1", "1", batchId="b")], {}, "0200001"),
    ("batch-65", [customer("s1", "1")], {"batchId": "b" * 65}, "02000003"),
    ("batch-object", [customer("s1", "1")], {"batchId": {"id": 1}}, "02000006"),
    ("unknown-top-field", [customer("s1", "1")], {"batch": "b"}, "0200001"),
    ("bad-after-good", [customer("s1", "1"), customer("s2", "x")], {}, "02000002"),
]


@pytest.mark.parametrize(
    ("records", "top", "code"), [pytest.param(r, t, c, id=i) for i, r, t, c in V2_RULES]
)
def test_add_v2_rules(client, server, campaign, records, top, code):
    assert_code(add_v2(client, campaign, records, **top), code)
    assert count(server.services, "numbers", campaign_id=campaign) == 0


def test_v2_per_call_maximum_is_configurable(make_server):
    server = make_server(add_v2_max_per_call=2000)
    with server.client() as signed:
        campaign_id = create_campaign(signed)
        records = [customer(f"s{i}", f"138{i:08d}") for i in range(2000)]
        big = new_batch(signed, campaign_id, "big")
        answer = add_v2(signed, campaign_id, records, batchId=big)
        assert_code(answer, SUCCESS)
        listed = answer["returnObject"]["dataIdList"]
        assert answer["returnObject"]["totalSize"] == 2000
        assert [item["called"] for item in listed] == [f"138{i:08d}" for i in range(2000)]
        assert len({item["dataId"] for item in listed}) == 2000
        saved = stored(server, campaign_id)
        assert len(saved) == 2000
        assert {str(r["id"]): r["called"] for r in saved} == {
            i["dataId"]: i["called"] for i in listed
        }
        assert {r["batch_id"] for r in saved} == {big}
        more = [customer(f"t{i}", f"139{i:08d}") for i in range(2001)]
        assert_code(add_v2(signed, campaign_id, more), "0200029")
        # v1 keeps its own maximum of 20
        assert_code(add_v1(signed, campaign_id, numbers(21)), "0200029")
        assert count(server.services, "numbers", campaign_id=campaign_id) == 2000


# --- query one number ---


def test_query_v1_number(client, campaign):
    record = {
        "sessionId": "cust-7",
        "called": "13800000007",
        "caller": "10010",
        "customField": "b7",
        "recycleTime": "2030-01-02 03:04:05",
        "callData": "{}",
    }
    data_id = add_v1(client, campaign, [record])["returnObject"]["dataIdList"][0]["dataId"]
    answer = query(client, campaign, data_id)
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == "query data success"
    data = answer["data"]
    assert data["dataId"] == data_id
    assert all(set(p) == {"propCode", "propName", "propValue"} for p in data["properties"])
    assert all(isinstance(p["propValue"], str) and p["propName"] for p in data["properties"])
    assert props(answer) == {
        "sessionId": "cust-7",
        "called": "13800000007",
        "caller": "10010",
        "customField": "b7",
        "recycleTime": "2030-01-02 03:04:05",
        "callData": "{}",
        "batchId": "",
        "status": "pending",
        "attempts": "0",
    }
    assert data["calledNos"] == [{"calledNo": "13800000007", "type": ""}]


def test_query_v1_number_without_optional_fields(client, campaign):
    data_id = add_v1(client, campaign, [{"called": "1"}])["returnObject"]["dataIdList"][0]["dataId"]
    values = props(query(client, campaign, data_id))
    assert (
        values["sessionId"]
        == values["caller"]
        == values["customField"]
        == values["recycleTime"]
        == ""
    )


def test_query_v2_number(client, campaign):
    record = {
        "sessionId": "c9",
        "called": [{"calledNo": "111", "type": "mobile", "delayTime": 5}, {"calledNo": "222"}],
    }
    batch_id = new_batch(client, campaign, "b-2")
    data_id = add_v2(client, campaign, [record], batchId=batch_id)["returnObject"]["dataIdList"][0][
        "dataId"
    ]
    answer = query(client, campaign, data_id)
    assert_code(answer, SUCCESS)
    assert answer["data"]["calledNos"] == [
        {"calledNo": "111", "type": "mobile"},
        {"calledNo": "222", "type": ""},
    ]
    values = props(answer)
    assert (values["sessionId"], values["called"], values["batchId"]) == ("c9", "111", batch_id)


def test_query_shows_the_dial_state(client):
    campaign_id = create_campaign(client, init_status=0)
    first, second = add_numbers_ids(client, campaign_id, 2)
    (item,) = claim(client, campaign_id, 1)
    assert item["uniqueId"] == first
    assert props(query(client, campaign_id, first))["status"] == "calling"
    report(client, campaign_id, first)
    after = props(query(client, campaign_id, first))
    assert (after["status"], after["attempts"]) == ("completed", "1")
    assert props(query(client, campaign_id, second))["status"] == "pending"


def test_query_unknown_number(client, campaign):
    (data_id,) = add_numbers_ids(client, campaign, 1)
    assert_code(query(client, campaign, int(data_id) + 100000), "0200033")


def test_query_number_of_another_campaign(client, campaign):
    other = create_campaign(client)
    (data_id,) = add_numbers_ids(client, other, 1)
    assert_code(query(client, campaign, data_id), "0200033")
    assert_code(query(client, other, data_id), SUCCESS)


def test_query_number_of_unknown_campaign(client, campaign):
    (data_id,) = add_numbers_ids(client, campaign, 1)
    assert_code(query(client, 987654, data_id), "0200007")


def test_query_number_of_campaign_of_another_vdn(client):
    other = create_campaign(client, vdn=13)
    (data_id,) = add_numbers_ids(client, other, 1, vdn=13)
    assert_code(query(client, other, data_id, vdn=12), "0200007")
    assert_code(query(client, other, data_id, vdn=13), SUCCESS)


def test_query_deleted_number(client, campaign):
    (data_id,) = add_numbers_ids(client, campaign, 1)
    answer = ok_json(
        client.post(calldata_path(campaign) + "/delete", json={"called": "15000000000"})
    )
    assert answer["successCount"] == 1
    assert_code(query(client, campaign, data_id), "0200033")


@pytest.mark.parametrize(
    ("data_id", "code"),
    [
        ("abc", "02000006"),
        ("1.5", "02000006"),
        ("1e3", "02000006"),
        ("0", "02000007"),
        ("-1", "02000007"),
        ("9223372036854775808", "02000007"),
        ("9" * 31, "02000006"),
    ],
)
def test_query_data_id_must_be_a_positive_integer(client, campaign, data_id, code):
    assert_code(query(client, campaign, data_id), code)


def test_query_largest_data_id_is_just_not_found(client, campaign):
    assert_code(query(client, campaign, "9223372036854775807"), "0200033")


def test_query_number_takes_no_body(client, campaign):
    (data_id,) = add_numbers_ids(client, campaign, 1)
    path = f"{calldata_path(campaign)}/{data_id}"
    assert_code(ok_json(client.get(path, json={"dataId": data_id})), "0200001")
    assert_code(ok_json(client.get(path, params={"full": "1"})), "0200001")


# --- garbage never breaks the server ---

# (id, raw body, v1 code, v2 code): in v2 "called" is a list, so a string there is the wrong type
GARBAGE = [
    ("array", b"[]", "02000006", "02000006"),
    ("array-of-records", b'[{"called": "1"}]', "02000006", "02000006"),
    ("string", b'"callDataList"', "02000006", "02000006"),
    ("number", b"12", "02000006", "02000006"),
    ("empty", b"", "02000001", "02000001"),
    ("blank", b" \n ", "02000001", "02000001"),
    ("broken", b'{"callDataList": [', "02000008", "02000008"),
    ("nan", b'{"callDataList": [{"called": NaN}]}', "02000008", "02000008"),
    ("not-utf8", b'{"callDataList": [{"called": "\xe9"}]}', "02000008", "02000008"),
    ("deep", b"[" * 50_000 + b"]" * 50_000, "02000008", "02000008"),
    (
        "deep-in-list",
        b'{"callDataList": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        "02000008",
        "02000008",
    ),
    (
        "lone-surrogate",
        b'{"callDataList": [{"called": "1", "customField": "\\ud83d"}]}',
        "02000008",
        "02000008",
    ),
    ("surrogate-key", b'{"callDataList": [{"\\udead": "1"}]}', "02000008", "02000008"),
    (
        "huge-int-digits",
        b'{"callDataList": [{"called": ' + b"1" * 5000 + b"}]}",
        "02000008",
        "02000008",
    ),
    (
        "nested-junk",
        b'{"callDataList": [{"called": [[{"x": [null, {}]}]]}]}',
        "02000006",
        "02000006",
    ),
    ("list-of-lists", b'{"callDataList": [[], [[]]]}', "02000006", "02000006"),
    (
        "huge-int-called",
        b'{"callDataList": [{"called": 1000000000000000000000000000000}]}',
        "02000003",
        "02000006",
    ),
    (
        "nul-session",
        b'{"callDataList": [{"sessionId": "\\u0000", "called": "1"}]}',
        "02000002",
        "02000002",
    ),
    (
        "nul-custom-field",
        b'{"callDataList": [{"called": "1", "customField": "a\\u0000b"}]}',
        "02000002",
        "02000006",
    ),
    (
        "nul-call-data",
        b'{"callDataList": [{"called": "1", "callData": "{\\u0000}"}]}',
        "02000002",
        "02000006",
    ),
]


@pytest.mark.parametrize(
    ("raw", "v1_code", "v2_code"), [pytest.param(r, c1, c2, id=i) for i, r, c1, c2 in GARBAGE]
)
@pytest.mark.parametrize("version", [1, 2])
def test_garbage_bodies(client, server, campaign, version, raw, v1_code, v2_code):
    answer = ok_json(client.post(calldata_path(campaign, version=version), content=raw))
    assert_code(answer, v1_code if version == 1 else v2_code)
    assert count(server.services, "numbers", campaign_id=campaign) == 0
    assert_code(add_v1(client, campaign, [{"called": "1"}]), SUCCESS)  # the server still answers


@pytest.mark.parametrize(
    ("record", "code"),
    [
        (customer("s", "1", customField="a\u0000b"), "02000002"),
        ({"called": [{"calledNo": "1", "type": "\u0000"}]}, "02000002"),
        ({"called": [{"calledNo": "1", "delayTime": 10**30}]}, "02000007"),
        ({"called": [{"calledNo": 10**30}]}, "02000003"),
        ({"called": {"calledNo": "1"}}, "02000006"),
        ({"called": [[{"calledNo": "1"}]]}, "02000006"),
    ],
)
def test_v2_garbage_values(client, server, campaign, record, code):
    assert_code(add_v2(client, campaign, [record], batchId=None), code)
    assert count(server.services, "numbers", campaign_id=campaign) == 0


def test_huge_data_id_path(client, campaign):
    assert_code(query(client, campaign, "1" * 200), "02000006")
