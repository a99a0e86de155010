"""The blacklist (docs/api.md#blacklist) and its enforcement at add and at claim time."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from tests.support.api import (
    SUCCESS,
    TIME,
    MovableClock,
    add_numbers,
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
    utc_now,
)
from tests.support.stores import refuse

pytestmark = pytest.mark.usefixtures("backend")


def base(vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/blocklist"


def block(client, numbers_, vdn: int = 12, **fields) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(base(vdn) + "/add", json={"blocklist": numbers_, **fields}))


def query(client, body, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(base(vdn) + "/query", json=body))


def unblock(client, number, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(base(vdn) + "/delete", json={"blocklistNo": number}))


def entries(client, vdn: int = 12) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    answer = query(client, {"offset": 0, "limit": 100}, vdn)
    assert_code(answer, SUCCESS)
    return {item["blockNum"]: item for item in answer["data"]}


@pytest.fixture(autouse=True)
def empty_blacklists(client):
    for vdn in (12, 13):
        assert_code(ok_json(client.delete(base(vdn))), SUCCESS)


def at(clock: MovableClock, text: str) -> None:
    clock.now = datetime.strptime(text, TIME)


# --- add ------------------------------------------------------------------------------------


def test_add_then_query_the_numbers(client, server):
    assert_code(block(client, ["100", "200*#"], relCategoryId="c1", typeId="t1"), SUCCESS)
    answer = query(client, {"blocklist": ["300", "200*#", "100", "100"]})
    assert_code(answer, SUCCESS)
    assert answer["totalCount"] == 2
    assert answer["data"] == [
        {
            "blockNum": number,
            "validityExpirationTime": "",
            "flag": True,
            "restrictTimes": None,
            "restrictPeriod": "",
            "relCategoryId": "c1",
            "typeId": "t1",
        }
        for number in ("200*#", "100")
    ]
    stored = rows(server.services, "blacklist", vdn_id=12, number="100")[0]
    assert stored["expires_at"] is None and stored["category_id"] == "c1"


@pytest.mark.parametrize(
    ("fields", "expires"),
    [
        ({"validityTime": 5}, "2027-01-31 15:00:00"),  # hours by default
        ({"validityTime": 5, "validityTimeUnit": 4}, "2027-01-31 15:00:00"),
        ({"validityTime": 2, "validityTimeUnit": 3}, "2027-02-02 10:00:00"),
        ({"validityTime": 1, "validityTimeUnit": 2}, "2027-02-28 10:00:00"),  # clamped
        ({"validityTime": 13, "validityTimeUnit": 2}, "2028-02-29 10:00:00"),
        ({"validityTime": 2, "validityTimeUnit": 1}, "2029-01-31 10:00:00"),
        (
            {"validityExpirationTime": "2027-06-01 08:00:00", "validityTime": 1},
            "2027-06-01 08:00:00",
        ),
    ],
)
def test_validity(make_server, fields, expires):
    server = make_server(clock=MovableClock(datetime(2027, 1, 31, 10, 0, 0)))
    with server.client() as client:
        assert_code(block(client, ["5"], **fields), SUCCESS)
        assert entries(client)["5"]["validityExpirationTime"] == expires


def test_an_expired_entry_is_shown_invalid_and_may_be_added_again(make_server):
    clock = MovableClock(datetime(2027, 3, 1, 9, 0, 0))
    server = make_server(clock=clock)
    with server.client() as client:
        assert_code(block(client, ["5"], validityTime=1), SUCCESS)
        assert entries(client)["5"]["flag"] is True
        clock.advance(3600)
        assert entries(client)["5"]["flag"] is False
        assert_code(block(client, ["5"], restrictTimes=2, restrictPeriod="1"), SUCCESS)
        entry = entries(client)["5"]
        assert (entry["flag"], entry["validityExpirationTime"], entry["restrictTimes"]) == (
            True,
            "",
            2,
        )


def test_an_already_blacklisted_number_refuses_the_whole_request(client, server):
    assert_code(block(client, ["1"]), SUCCESS)
    answer = block(client, ["2", "1"])
    assert_code(answer, "0200007")
    assert "1" in answer["resultDesc"]
    assert list(entries(client)) == ["1"]


def test_is_cover_dup_no_0_skips_numbers_already_blacklisted(client):
    assert_code(block(client, ["1"], restrictTimes=3, restrictPeriod="0"), SUCCESS)
    answer = block(client, ["1", "2"], isCoverDupNo=0, typeId="new")
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == "already blacklisted, skipped: 1"
    now = entries(client)
    assert (now["1"]["restrictTimes"], now["1"]["typeId"]) == (3, "")
    assert now["2"]["typeId"] == "new"


def test_is_cover_dup_no_1_overwrites(client):
    assert_code(block(client, ["1"], restrictTimes=3, restrictPeriod="0"), SUCCESS)
    answer = block(client, ["1", "2"], isCoverDupNo=1, validityTime=2, typeId="new")
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == ""
    entry = entries(client)["1"]
    assert (entry["restrictTimes"], entry["typeId"]) == (None, "new")
    assert entry["validityExpirationTime"] != ""


def test_concurrent_adds_of_one_number_blacklist_it_once(server):
    answers: list[str] = []

    def add() -> None:
        with server.client((12,)) as own:
            answers.append(block(own, ["777"])["resultCode"])

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [SUCCESS] + ["0200007"] * 5
    assert count(server.services, "blacklist", number="777") == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"blocklist": []}, "02000001"),
        ({"blocklist": "123"}, "02000006"),
        ({"blocklist": [str(i) for i in range(21)]}, "0200029"),
        ({"blocklist": ["12a"]}, "02000002"),
        ({"blocklist": ["1" * 25]}, "02000003"),
        ({"blocklist": ["1", "2", "1"]}, "0200018"),
        ({"blocklist": ["1"], "restrictTimes": 2}, "02000009"),
        ({"blocklist": ["1"], "restrictPeriod": "0"}, "02000009"),
        ({"blocklist": ["1"], "restrictTimes": 0, "restrictPeriod": "0"}, "02000007"),
        ({"blocklist": ["1"], "restrictTimes": 101, "restrictPeriod": "0"}, "02000007"),
        ({"blocklist": ["1"], "restrictTimes": 1, "restrictPeriod": "2"}, "02000007"),
        ({"blocklist": ["1"], "validityTime": 0}, "02000007"),
        ({"blocklist": ["1"], "validityTime": 121}, "02000007"),
        ({"blocklist": ["1"], "validityTime": 1, "validityTimeUnit": 5}, "02000007"),
        ({"blocklist": ["1"], "validityTimeUnit": 3}, "02000009"),
        ({"blocklist": ["1"], "validityExpirationTime": "2030-02-30 00:00:00"}, "0200030"),
        ({"blocklist": ["1"], "validityExpirationTime": "2000-01-01 00:00:00"}, "02000007"),
        ({"blocklist": ["1"], "isCoverDupNo": 2}, "02000007"),
        ({"blocklist": ["1"], "relCategoryId": "x" * 65}, "02000003"),
        ({"blocklist": ["1"], "typo": 1}, "0200001"),
    ],
)
def test_add_rules(client, server, body, code):
    answer = ok_json(client.post(base() + "/add", json=body))
    assert_code(answer, code)
    assert count(server.services, "blacklist") == 0


def test_add_store_failure(make_server, backend):
    server = make_server()
    refuse(server, backend, "blacklist", "INSERT")
    with server.client() as client:
        assert_code(block(client, ["1"]), "0200006")
    assert count(server.services, "blacklist") == 0


def test_vdn_not_granted(server):
    with server.client((12,)) as only_12:
        response = only_12.post(base(13) + "/add", json={"blocklist": ["1"]})
        assert response.status_code == 403
        assert only_12.post(base(13) + "/query", json={"blocklist": ["1"]}).status_code == 403
        assert only_12.delete(base(13)).status_code == 403


# --- query ----------------------------------------------------------------------------------


def test_query_pages_in_insertion_order_with_filters(client):
    assert_code(block(client, [f"9{i:02d}" for i in range(20)], typeId="a"), SUCCESS)
    assert_code(block(client, [f"8{i:02d}" for i in range(5)], relCategoryId="c"), SUCCESS)
    first = query(client, {"offset": 0, "limit": 10})
    assert first["totalCount"] == 25
    assert [item["blockNum"] for item in first["data"]] == [f"9{i:02d}" for i in range(10)]
    last = query(client, {"offset": 20, "limit": 10})
    assert [item["blockNum"] for item in last["data"]] == [f"8{i:02d}" for i in range(5)]
    typed = query(client, {"offset": 15, "limit": 100, "typeId": "a"})
    assert typed["totalCount"] == 20 and len(typed["data"]) == 5
    filtered = query(client, {"blocklist": ["900", "800"], "relCategoryId": "c"})
    assert [item["blockNum"] for item in filtered["data"]] == ["800"]


def test_blacklists_are_per_vdn(client):
    assert_code(block(client, ["1"], vdn=13), SUCCESS)
    assert query(client, {"blocklist": ["1"]})["totalCount"] == 0
    assert_code(block(client, ["1"]), SUCCESS)
    assert query(client, {"blocklist": ["1"]}, vdn=13)["totalCount"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"blocklist": []}, "02000001"),
        ({"blocklist": ["1"], "offset": 0, "limit": 10}, "02000009"),
        ({"blocklist": ["1"], "limit": 10}, "02000009"),
        ({"offset": 0}, "02000009"),
        ({"limit": 10}, "02000009"),
        ({"offset": 0, "limit": 0}, "02000007"),
        ({"offset": 0, "limit": 101}, "02000007"),
        ({"offset": -1, "limit": 10}, "02000007"),
        ({"offset": "x", "limit": 10}, "02000006"),
        ({"blocklist": [str(i) for i in range(21)]}, "0200029"),
        ({"blocklist": ["1#a"]}, "02000002"),
        ({"blocklist": ["1" * 25]}, "02000003"),
        ({"blocklist": ["1"], "typeId": "x" * 65}, "02000003"),
        ({"blocklist": ["1"], "page": 1}, "0200001"),
    ],
)
def test_query_rules(client, body, code):
    answer = query(client, body)
    assert_code(answer, code)
    assert "totalCount" not in answer


def test_query_store_failure(make_server):
    server = make_server()
    execute_sql(server.services, "ALTER TABLE blacklist RENAME TO blacklist_away")
    with server.client() as client:
        assert_code(query(client, {"offset": 0, "limit": 1}), "0200006")


# --- delete ---------------------------------------------------------------------------------


def test_delete_one(client):
    assert_code(block(client, ["1", "2"]), SUCCESS)
    assert_code(unblock(client, "1"), SUCCESS)
    assert list(entries(client)) == ["2"]
    answer = unblock(client, "1")
    assert_code(answer, "0200033")
    assert list(entries(client)) == ["2"]


def test_delete_one_in_its_own_vdn_only(client):
    assert_code(block(client, ["1"], vdn=13), SUCCESS)
    assert_code(unblock(client, "1"), "0200033")
    assert list(entries(client, vdn=13)) == ["1"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"blocklistNo": ""}, "02000001"),
        ({"blocklistNo": "12a"}, "02000002"),
        ({"blocklistNo": "1" * 25}, "02000003"),
        ({"blocklistNo": ["1"]}, "02000006"),
        ({"blocklistNo": "1", "all": True}, "0200001"),
    ],
)
def test_delete_one_rules(client, body, code):
    assert_code(block(client, ["1"]), SUCCESS)
    assert_code(ok_json(client.post(base() + "/delete", json=body)), code)
    assert list(entries(client)) == ["1"]


def test_delete_all_of_one_vdn(client):
    assert_code(block(client, ["1", "2"]), SUCCESS)
    assert_code(block(client, ["3"], vdn=13), SUCCESS)
    answer = ok_json(client.delete(base()))
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == "2 numbers removed from the blacklist"
    assert entries(client) == {}
    assert list(entries(client, vdn=13)) == ["3"]


def test_delete_all_takes_no_body(client):
    assert_code(block(client, ["1"]), SUCCESS)
    assert_code(ok_json(client.request("DELETE", base(), json={"x": 1})), "0200001")
    assert list(entries(client)) == ["1"]


@pytest.mark.parametrize("operation", ["one", "all"])
def test_delete_store_failure(make_server, backend, operation):
    server = make_server()
    with server.client() as client:
        assert_code(block(client, ["1"]), SUCCESS)
        refuse(server, backend, "blacklist", "DELETE")
        answer = unblock(client, "1") if operation == "one" else ok_json(client.delete(base()))
        assert_code(answer, "0200006")
    assert count(server.services, "blacklist") == 1


# --- enforcement when numbers are added ------------------------------------------------------


def add_v1(client, campaign_id, called: list[str]) -> dict:  # type: ignore[no-untyped-def]
    records = [{"called": c} for c in called]
    return ok_json(client.post(calldata_path(campaign_id), json={"callDataList": records}))


def test_adding_a_blacklisted_number_is_refused(client, server):
    campaign_id = create_campaign(client)
    assert_code(block(client, ["111"]), SUCCESS)
    answer = add_v1(client, campaign_id, ["222", "111"])
    assert_code(answer, "0200024")
    assert "111" in answer["resultDesc"]
    v2 = client.post(
        calldata_path(campaign_id, version=2),
        json={"callDataList": [{"called": [{"calledNo": "333"}, {"calledNo": "111"}]}]},
    ).json()
    assert_code(v2, "0200024")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


def test_numbers_with_a_quota_expired_or_of_another_vdn_may_be_added(make_server):
    clock = MovableClock()
    server = make_server(clock=clock)
    with server.client((12, 13)) as client:
        campaign_id = create_campaign(client)
        assert_code(block(client, ["1"], restrictTimes=1, restrictPeriod="1"), SUCCESS)
        assert_code(block(client, ["2"], validityTime=1), SUCCESS)
        assert_code(block(client, ["3"], vdn=13), SUCCESS)
        assert_code(add_v1(client, campaign_id, ["2"]), "0200024")
        clock.advance(3600)
        assert_code(add_v1(client, campaign_id, ["1", "2", "3"]), SUCCESS)


# --- enforcement when numbers are claimed ----------------------------------------------------


def test_a_number_blacklisted_after_import_is_never_claimed(client, server):
    campaign_id = create_campaign(client, init_status=0)
    ids = add_numbers(client, campaign_id, numbers(3, prefix="555"))
    assert_code(block(client, ["5550001"]), SUCCESS)
    claimed = claim(client, campaign_id, 10)
    assert sorted(item["uniqueId"] for item in claimed) == [ids[0], ids[2]]
    assert claim(client, campaign_id, 10) == []
    assert rows(server.services, "numbers", id=int(ids[1]))[0]["state"] == "pending"
    assert_code(unblock(client, "5550001"), SUCCESS)
    assert [item["uniqueId"] for item in claim(client, campaign_id, 10)] == [ids[1]]


def test_the_blacklist_of_another_vdn_does_not_stop_claims(client):
    campaign_id = create_campaign(client, init_status=0)
    [data_id] = add_numbers(client, campaign_id, [{"called": "4440000"}])
    assert_code(block(client, ["4440000"], vdn=13), SUCCESS)
    assert [item["uniqueId"] for item in claim(client, campaign_id, 1)] == [data_id]


def test_an_expired_entry_no_longer_stops_claims(make_server):
    clock = MovableClock(utc_now().replace(hour=10, minute=0, second=0, microsecond=0))
    server = make_server(clock=clock)
    with server.client() as client:
        campaign_id = create_campaign(client, init_status=0)
        [data_id] = add_numbers(client, campaign_id, [{"called": "4440000"}])
        assert_code(block(client, ["4440000"], validityTime=1), SUCCESS)
        assert claim(client, campaign_id, 1) == []
        clock.advance(3600)
        assert [item["uniqueId"] for item in claim(client, campaign_id, 1)] == [data_id]


def campaign_with_twice(client, called: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """An executing campaign holding ``called`` twice (two imports)."""
    campaign_id = create_campaign(client, init_status=0)
    first = add_numbers(client, campaign_id, [{"called": called}])
    second = add_numbers(client, campaign_id, [{"called": called}])
    return campaign_id, first + second


def test_a_quota_per_hour_counts_calls_in_progress_and_reported(make_server):
    today = utc_now().date().isoformat()
    clock = MovableClock(datetime.fromisoformat(f"{today} 10:10:00"))
    server = make_server(clock=clock)
    with server.client() as client:
        campaign_id, ids = campaign_with_twice(client, "6660000")
        assert_code(block(client, ["6660000"], restrictTimes=1, restrictPeriod="0"), SUCCESS)
        [first] = claim(client, campaign_id, 1)
        assert first["uniqueId"] == ids[0]
        assert claim(client, campaign_id, 1) == []  # one call in progress uses the quota
        assert report(client, campaign_id, ids[0]) == {"result": "0"}
        assert claim(client, campaign_id, 1) == []  # one reported this hour
        at(clock, f"{today} 10:59:59")
        assert claim(client, campaign_id, 1) == []
        at(clock, f"{today} 11:00:00")
        assert [item["uniqueId"] for item in claim(client, campaign_id, 1)] == [ids[1]]


def test_a_quota_per_day_follows_the_tenant_time_zone(make_server):
    today = utc_now().date().isoformat()
    # 15:30 UTC is 23:30 in Shanghai (UTC+8): the tenant's day ends in 30 minutes
    clock = MovableClock(datetime.fromisoformat(f"{today} 15:30:00"))
    server = make_server(clock=clock, timezone="Asia/Shanghai")
    with server.client() as client:
        campaign_id, ids = campaign_with_twice(client, "6660000")
        assert_code(block(client, ["6660000"], restrictTimes=1, restrictPeriod="1"), SUCCESS)
        [first] = claim(client, campaign_id, 1)
        assert report(client, campaign_id, first["uniqueId"]) == {"result": "0"}
        clock.advance(29 * 60)
        assert claim(client, campaign_id, 1) == []
        clock.advance(60)  # 00:00 in Shanghai, still the same UTC day
        assert [item["uniqueId"] for item in claim(client, campaign_id, 1)] == [ids[1]]


def test_a_quota_counts_attempts_of_every_campaign_of_the_vdn(make_server):
    clock = MovableClock(utc_now().replace(hour=10, minute=0, second=0, microsecond=0))
    server = make_server(clock=clock)
    with server.client() as client:
        one = create_campaign(client, init_status=0)
        other = create_campaign(client, init_status=0)
        [first] = add_numbers(client, one, [{"called": "7770000"}])
        [second] = add_numbers(client, other, [{"called": "7770000"}])
        assert_code(block(client, ["7770000"], restrictTimes=2, restrictPeriod="1"), SUCCESS)
        assert [item["uniqueId"] for item in claim(client, one, 1)] == [first]
        assert report(client, one, first) == {"result": "0"}
        assert [item["uniqueId"] for item in claim(client, other, 1)] == [second]
        assert report(client, other, second) == {"result": "0"}
        [third] = add_numbers(client, one, [{"called": "7770000"}])
        assert claim(client, one, 1) == []
        clock.advance(timedelta(days=1).total_seconds())
        assert [item["uniqueId"] for item in claim(client, one, 1)] == [third]
