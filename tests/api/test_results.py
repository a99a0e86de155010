"""Call-result queries (docs/api.md#call-results), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from isales.wire.schemas.results import display_result
from tests.support.api import (
    OBS,
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    claim,
    create_campaign,
    execute_sql,
    numbers,
    ok_json,
    report,
)

pytestmark = pytest.mark.usefixtures("backend")

TIME = "%Y-%m-%d %H:%M:%S"
DAY = "%Y-%m-%d"
WHOLE_DAY = {"workdayBeginTime1": "00:00", "workdayEndTime1": "23:59"}


def results_path(campaign_id: int, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/callresult/{campaign_id}"


def detail_path(call_id: str, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/callresultdetail/{call_id}"


def query(client, campaign_id: int, body=None, vdn: int = 12) -> dict:
    return ok_json(client.post(results_path(campaign_id, vdn), json=body))


def dial(client, campaign_id: int, outcomes: list[str]) -> list[str]:
    """Claim one number per outcome and report it ("6" connected, "5" failed)."""
    claimed = claim(client, campaign_id, len(outcomes))
    assert len(claimed) == len(outcomes)
    for item, status in zip(claimed, outcomes, strict=True):
        assert report(client, campaign_id, item["uniqueId"], status=status) == {"result": "0"}
    return [item["uniqueId"] for item in claimed]


def campaign_on(client, clock: MovableClock, **overrides) -> int:
    """An executing campaign whose day began on the clock's day (UTC)."""
    start = clock().replace(hour=0, minute=0, second=0, microsecond=0)
    return create_campaign(
        client,
        init_status=0,
        strBeginTime=start.strftime(TIME),
        strEndTime=(start + timedelta(days=60)).strftime(TIME),
        scheduleParam=WHOLE_DAY,
        **overrides,
    )


def add_earlier_attempt(server, data_id: str, campaign_id: int) -> None:
    """An earlier, non-final failed attempt of a number (as a retry policy would leave)."""
    execute_sql(
        server.services,
        "INSERT INTO call_results (data_id, campaign_id, vdn_id, session_id, called, custom_field,"
        " call_id, call_status, fail_code, attempt, final, reported_at) SELECT id, campaign_id,"
        f" vdn_id, session_id, called, custom_field, 'early-{data_id}', '5', '00603', 1, 0,"
        f" '2020-01-01 08:00:00' FROM numbers WHERE id = {data_id}",
    )


@pytest.fixture(scope="module")
def dialled(client, server):
    """Three numbers reported (connected, failed, connected) and one still calling;
    the second one also has an earlier non-final attempt."""
    campaign_id = create_campaign(client, init_status=0)
    records = [
        {"called": f"600{i}", "sessionId": f"s{i}", "customField": "odd" if i % 2 else "even"}
        for i in range(4)
    ]
    ids = add_numbers(client, campaign_id, records)
    assert dial(client, campaign_id, ["6", "5", "6"]) == ids[:3]
    assert [item["uniqueId"] for item in claim(client, campaign_id, 1)] == [ids[3]]
    add_earlier_attempt(server, ids[1], campaign_id)
    return campaign_id, ids


def test_final_results_of_completed_numbers(client, dialled):
    campaign_id, ids = dialled
    answer = query(client, campaign_id, {})
    assert_code(answer, SUCCESS)
    assert answer["totalCount"] == 3
    assert [item["callId"] for item in answer["data"]] == [f"call-{i}" for i in ids[:3]]
    first, second = answer["data"][0], answer["data"][1]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", first.pop("callTimeStr"))
    assert first == {
        "campaignId": str(campaign_id),
        "sessionId": "s0",
        "called": "6000",
        "callStatus": 6,
        "failCode": "00000",
        "resultCode": "OB00000",
        "vdnId": 12,
        "callId": f"call-{ids[0]}",
        "recordPath": "",
    }
    assert (second["callStatus"], second["failCode"], second["resultCode"]) == (
        5,
        "00603",
        "OB00603",
    )


def test_an_empty_body_is_the_same_query(client, dialled):
    campaign_id, _ = dialled
    answer = ok_json(client.post(results_path(campaign_id)))
    assert answer["totalCount"] == 3 and answer["data"] == query(client, campaign_id, {})["data"]


def test_show_detail_lists_every_attempt(client, dialled):
    campaign_id, ids = dialled
    answer = query(client, campaign_id, {"showDetail": 1})
    assert answer["totalCount"] == 4
    # report order: the earlier attempt was reported first
    assert [item["callId"] for item in answer["data"]] == [
        f"early-{ids[1]}",
        f"call-{ids[0]}",
        f"call-{ids[1]}",
        f"call-{ids[2]}",
    ]
    assert answer["data"][0]["callTimeStr"] == "2020-01-01 08:00:00"
    assert query(client, campaign_id, {"showDetail": 0})["totalCount"] == 3


@pytest.mark.parametrize(
    ("body", "called"),
    [
        ({"sessionId": "s1"}, ["6001"]),
        ({"sessionId": "s1", "showDetail": 1}, ["6001", "6001"]),
        ({"customField": "even"}, ["6000", "6002"]),
        ({"customField": "odd", "sessionId": "s0"}, []),
        ({"sessionId": "s3"}, []),  # still calling: no result yet
        ({"sessionId": None, "customField": ""}, ["6000", "6001", "6002"]),
    ],
)
def test_filters_combine_with_and(client, dialled, body, called):
    campaign_id, _ = dialled
    answer = query(client, campaign_id, body)
    assert [item["called"] for item in answer["data"]] == called
    assert answer["totalCount"] == len(called)


def test_a_number_completed_twice_shows_its_latest_final_result(client, server):
    """A number recalled after completing (business-result policy) and completed again."""
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, [{"called": "6100"}, {"called": "6101"}])
    first, other = dial(client, campaign_id, ["5", "6"])
    execute_sql(
        server.services,
        "INSERT INTO call_results (data_id, campaign_id, vdn_id, called, call_id, call_status,"
        " fail_code, attempt, final, reported_at) SELECT data_id, campaign_id, vdn_id, called,"
        " 'again', '6', '00000', 2, 1, '2099-01-01 00:00:00' FROM call_results"
        f" WHERE call_id = 'call-{first}'",
    )
    answer = query(client, campaign_id, {})
    assert [item["callId"] for item in answer["data"]] == [f"call-{other}", "again"]
    assert answer["totalCount"] == 2
    detail = query(client, campaign_id, {"showDetail": 1})
    assert [item["callId"] for item in detail["data"]] == [
        f"call-{first}",
        f"call-{other}",
        "again",
    ]


@pytest.fixture(scope="module")
def seven(client):
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(7, prefix="7000"))
    return campaign_id, dial(client, campaign_id, ["6"] * 7)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"pageSize": 3, "pageNum": 1}, [0, 1, 2]),
        ({"pageSize": 3, "pageNum": 3}, [6]),
        ({"pageSize": 3, "pageNum": 4}, []),
        ({"pageSize": 2}, [0, 1]),  # pageNum defaults to 1
        ({"pageNum": 1}, list(range(7))),  # pageSize defaults to the maximum
        ({"pageNum": 2, "showDetail": 1}, []),
        ({"pageSize": "5", "pageNum": "2"}, [5, 6]),
    ],
)
def test_pages(client, seven, body, expected):
    campaign_id, ids = seven
    answer = query(client, campaign_id, body)
    assert answer["totalCount"] == 7
    assert [item["callId"] for item in answer["data"]] == [f"call-{ids[i]}" for i in expected]


def test_without_paging_at_most_2000_results(client, server):
    campaign_id = create_campaign(client, init_status=0)
    [data_id] = add_numbers(client, campaign_id, numbers(1))
    execute_sql(
        server.services,
        "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 2001)"
        " INSERT INTO call_results (data_id, campaign_id, vdn_id, call_id, call_status,"
        f" fail_code, attempt, final, reported_at) SELECT {data_id} + n, {campaign_id}, 12,"
        " 'bulk', '6', '00000', n, 1, '2021-05-05 10:00:00' FROM seq",
    )
    answer = query(client, campaign_id, {})
    assert answer["totalCount"] == 2001 and len(answer["data"]) == 2000
    assert len(query(client, campaign_id, {"pageSize": 500, "pageNum": 5})["data"]) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"pageSize": 101, "showDetail": 1}, "02000007"),
        ({"pageSize": 501}, "02000007"),
        ({"pageSize": 501, "showDetail": 0}, "02000007"),
        ({"pageSize": 0}, "02000007"),
        ({"pageNum": 0}, "02000007"),
        ({"pageNum": -1, "pageSize": 10}, "02000007"),
        ({"showDetail": 2}, "02000007"),
        ({"pageSize": "ten"}, "02000006"),
        ({"pageSize": 1.5}, "02000006"),
        ({"sessionId": "x" * 33}, "02000003"),
        ({"customField": "x" * 201}, "02000003"),
        ({"sessionId": {"a": 1}}, "02000006"),
        ({"unknown": 1}, "0200001"),
        ({"beginTime": "2024-01-01"}, "0200008"),
        ({"endTime": "2024-01-02"}, "0200008"),
        ({"beginTime": "2024-01-01", "endTime": ""}, "0200008"),
        ({"beginTime": "2024/01/01", "endTime": "2024-01-02"}, "0200009"),
        ({"beginTime": "2024-01-01", "endTime": "2024-02-30"}, "0200009"),
        ({"beginTime": "2024-01-01 00:00:00", "endTime": "2024-01-02"}, "0200009"),
        ({"beginTime": 20240101, "endTime": "2024-01-02"}, "0200009"),
        ({"beginTime": "2024-01-02", "endTime": "2024-01-02"}, "0200010"),
        ({"beginTime": "2024-01-03", "endTime": "2024-01-02"}, "0200010"),
        ({"beginTime": "2024-01-01", "endTime": "2024-02-01"}, "0200011"),
        ({"beginTime": "2024-02-01", "endTime": "2024-03-03"}, "0200011"),
    ],
)
def test_invalid_queries(client, dialled, body, code):
    campaign_id, _ = dialled
    assert_code(query(client, campaign_id, body), code)


@pytest.mark.parametrize(
    ("begin", "end"), [("2024-01-01", "2024-01-31"), ("2024-02-01", "2024-03-02")]
)
def test_a_range_of_30_days_is_allowed(client, dialled, begin, end):
    campaign_id, _ = dialled
    answer = query(client, campaign_id, {"beginTime": begin, "endTime": end})
    assert_code(answer, SUCCESS)
    assert answer["totalCount"] == 0


def test_range_rules_come_before_the_campaign_lookup(client):
    body = {"beginTime": "2024-01-01"}
    assert_code(query(client, 987654, body), "0200008")
    assert_code(query(client, 987654, {}), "0200007")


def test_unknown_or_foreign_campaign_is_0200007(client):
    other_vdn = create_campaign(client, vdn=13)
    assert_code(query(client, other_vdn, {}), "0200007")
    assert_code(query(client, other_vdn, {}, vdn=13), SUCCESS)


def test_vdn_not_granted_is_403(server, dialled):
    campaign_id, _ = dialled
    with server.client((13,)) as other:
        assert other.post(results_path(campaign_id), json={}).status_code == 403


def test_days_are_taken_in_the_configured_zone_and_end_is_exclusive(make_server):
    # 15:00 UTC is 23:00 in Shanghai (UTC+8); 17:00 UTC is 01:00 the next day there
    clock = MovableClock(datetime(2031, 3, 10, 15, 0, 0))
    server = make_server(clock=clock, timezone="Asia/Shanghai", callback_sweep_seconds=3600)
    with server.client() as client:
        campaign_id = campaign_on(client, clock)
        add_numbers(client, campaign_id, numbers(2))
        [late_on_10th] = dial(client, campaign_id, ["6"])
        clock.advance(2 * 3600)
        [early_on_11th] = dial(client, campaign_id, ["5"])

        def found(begin: str, end: str) -> list[str]:
            answer = query(client, campaign_id, {"beginTime": begin, "endTime": end})
            assert answer["totalCount"] == len(answer["data"])
            return [item["callId"].removeprefix("call-") for item in answer["data"]]

        assert found("2031-03-10", "2031-03-11") == [late_on_10th]
        assert found("2031-03-11", "2031-03-12") == [early_on_11th]
        assert found("2031-03-10", "2031-03-12") == [late_on_10th, early_on_11th]
        assert found("2031-03-09", "2031-03-10") == []
        # callTimeStr is UTC, like every time of the API
        answer = query(client, campaign_id, {})
        assert [item["callTimeStr"] for item in answer["data"]] == [
            "2031-03-10 15:00:00",
            "2031-03-10 17:00:00",
        ]


# --- one result in detail ---


def test_detail_of_one_call(client, server):
    campaign_id = create_campaign(client, init_status=0)
    [data_id] = add_numbers(client, campaign_id, [{"called": "8001", "sessionId": "d"}])
    claim(client, campaign_id, 1)
    answer = client.post(
        f"{OBS}/call/result",
        json={
            "subCCNo": 1,
            "vdnId": 12,
            "serviceId": str(campaign_id),
            "uniqueId": data_id,
            "status": "6",
            "failCode": "0",
            "callId": "1644464743-1388",
            "fetchTime": "2031-01-01 10:00:00",
            "writeStartTime": "2031-01-01 10:00:05",
            "endCallTime": "2031-01-01 10:01:00",
        },
    ).json()
    assert answer == {"result": "0"}
    answer = ok_json(client.get(detail_path("1644464743-1388")))
    assert_code(answer, SUCCESS)
    assert answer["resultDesc"] == "Query Success!"
    assert answer["data"] == {
        "callId": "1644464743-1388",
        "called": "8001",
        "ackBeginTime": "2031-01-01 10:00:00",
        "callBeginTime": "2031-01-01 10:00:05",
        "callEndTime": "2031-01-01 10:01:00",
        "vdnId": 12,
        "callStatus": "6",
        "failCode": "0",
        "resultCode": "OB00000",
        "recordPath": "",
    }


def test_detail_times_not_reported_are_empty(client, dialled):
    _, ids = dialled
    data = ok_json(client.get(detail_path(f"call-{ids[1]}")))["data"]
    assert (data["callStatus"], data["failCode"], data["resultCode"]) == ("5", "00603", "OB00603")
    assert data["ackBeginTime"] == data["callBeginTime"] == data["callEndTime"] == ""


def test_detail_of_an_unknown_call_or_another_vdn_is_0200033(client, dialled):
    _, ids = dialled
    assert_code(ok_json(client.get(detail_path("no-such-call"))), "0200033")
    assert_code(ok_json(client.get(detail_path(f"call-{ids[0]}", vdn=13))), "0200033")


def test_detail_takes_no_body_or_query(client, dialled):
    _, ids = dialled
    path = detail_path(f"call-{ids[0]}")
    assert_code(ok_json(client.get(path, params={"x": "1"})), "0200001")


@pytest.mark.parametrize(
    ("fail_code", "result_code"),
    [
        ("00000", "OB00000"),
        ("0", "OB00000"),
        ("603", "OB00603"),
        ("34608", "OB34608"),
        ("", "OB99999"),
        (None, "OB99999"),
        ("123456", "OB99999"),
        ("E1", "OB99999"),
    ],
)
def test_display_result_mapping(fail_code, result_code):
    assert display_result(fail_code) == result_code
