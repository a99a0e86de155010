"""Today's statistics (docs/api.md, "Today's statistics"): counters of a campaign driven
through claim/report."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
import pytest

from tests.support.api import (
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    claim,
    create_campaign,
    execute_sql,
    ok_json,
    report,
)
from tests.support.servers import start_server

pytestmark = pytest.mark.usefixtures("backend")

TIME = "%Y-%m-%d %H:%M:%S"
WHOLE_DAY = {"workdayBeginTime1": "00:00", "workdayEndTime1": "23:59"}
MANUAL = {"callback_sweep_seconds": 3600, "lease_seconds": 7 * 24 * 3600}
COUNTERS = (
    "unCallCount",
    "calledCount",
    "finishCount",
    "totalCalledCount",
    "totalCallSucc",
    "totalFinishCount",
    "totalCount",
    "dailyCalledCount",
    "dailyCallSucc",
    "dailyFinishCount",
    "dailyCount",
)


#: a campaign nobody works for: every agent state counts zero
NO_AGENTS = dict.fromkeys(("LOGGED_OUT", "READY", "RESERVED", "TALKING", "WRAP_UP", "PAUSED"), 0)


def statistics_path(vdn: int = 12) -> str:
    return f"/rest/isales/v2/openapi/campaigns/{vdn}/statistics"


def statistics(client, vdn: int = 12, **params) -> dict:
    return ok_json(client.get(statistics_path(vdn), params=params))


def counters(**values: int) -> dict[str, int]:
    return {name: values.get(name, 0) for name in COUNTERS}


def campaign_on(client, clock: MovableClock, vdn: int = 12) -> int:
    start = clock().replace(hour=0, minute=0, second=0, microsecond=0)
    return create_campaign(
        client,
        vdn=vdn,
        init_status=0,
        strBeginTime=start.strftime(TIME),
        strEndTime=(start + timedelta(days=60)).strftime(TIME),
        scheduleParam=WHOLE_DAY,
    )


def dial(client, campaign_id: int, outcomes: dict[str, str | None], ids: dict[str, str]) -> None:
    """Claim the next numbers (in due order) and report each outcome; None leaves it calling."""
    claimed = claim(client, campaign_id, len(outcomes))
    assert [item["uniqueId"] for item in claimed] == [ids[name] for name in outcomes]
    for name, status in outcomes.items():
        if status is not None:
            assert report(client, campaign_id, ids[name], status=status) == {"result": "0"}


@pytest.fixture
def driven(make_server):
    """Yesterday: 8 numbers added (batch A: a0-a3, batch B: b0-b2, n without a batch);
    a0 connected, a1 failed, a2 claimed. Today: b3, b4 added; a2 connected, a3 connected,
    b0 failed, b1 claimed."""
    clock = MovableClock(datetime(2031, 5, 20, 9, 0, 0))
    server = make_server(clock=clock, **MANUAL)
    client = server.client((12, 13))
    campaign_id = campaign_on(client, clock)
    names = ["a0", "a1", "a2", "a3", "b0", "b1", "b2", "n"]
    records = [
        {"called": f"9{i:03d}", **({"customField": name[0].upper()} if name != "n" else {})}
        for i, name in enumerate(names)
    ]
    ids = dict(zip(names, add_numbers(client, campaign_id, records), strict=True))
    dial(client, campaign_id, {"a0": "6", "a1": "5", "a2": None}, ids)
    clock.advance(24 * 3600)
    new = add_numbers(
        client, campaign_id, [{"called": f"95{i}", "customField": "B"} for i in (3, 4)]
    )
    ids.update(b3=new[0], b4=new[1])
    assert report(client, campaign_id, ids["a2"]) == {"result": "0"}
    dial(client, campaign_id, {"a3": "6", "b0": "5", "b1": None}, ids)
    yield server, client, clock, campaign_id
    client.close()


def test_counters_add_up_to_the_outcomes(driven):
    _, client, _, campaign_id = driven
    answer = statistics(client, campaignId=campaign_id)
    assert_code(answer, SUCCESS)
    [entry] = answer["countDetail"]
    assert entry == {
        "campaignId": str(campaign_id),
        **counters(
            # numbers now: 5 completed (a0-a3, b0), 1 calling (b1), 4 never called (b2, n, b3, b4)
            unCallCount=4,
            totalFinishCount=5,
            totalCount=10,
            # attempted ever: a0-a3, b0; connected ever: a0, a2, a3
            totalCalledCount=5,
            totalCallSucc=3,
            # today: a2, a3, b0 reported (a2, a3 connected), all three final; b3, b4 added
            calledCount=3,
            finishCount=3,
            dailyCalledCount=3,
            dailyCallSucc=2,
            dailyFinishCount=3,
            dailyCount=2,
        ),
        "batchDetail": [],
        "agentCount": NO_AGENTS,
    }
    calling = 1
    assert entry["totalCount"] == entry["unCallCount"] + calling + entry["totalFinishCount"]


@pytest.mark.parametrize(
    ("batch", "expected"),
    [
        (
            "A",
            counters(
                totalFinishCount=4,
                totalCount=4,
                totalCalledCount=4,
                totalCallSucc=3,
                calledCount=2,
                finishCount=2,
                dailyCalledCount=2,
                dailyCallSucc=2,
                dailyFinishCount=2,
            ),
        ),
        (
            "B",
            counters(
                unCallCount=3,
                totalFinishCount=1,
                totalCount=5,
                totalCalledCount=1,
                calledCount=1,
                finishCount=1,
                dailyCalledCount=1,
                dailyFinishCount=1,
                dailyCount=2,
            ),
        ),
        ("nobody", counters()),
    ],
)
def test_batch_detail_counts_the_batch_only(driven, batch, expected):
    _, client, _, campaign_id = driven
    [entry] = statistics(client, campaignId=campaign_id, batchId=batch)["countDetail"]
    assert entry["batchDetail"] == [{"batchId": batch, **expected}]
    assert entry["totalCount"] == 10  # the campaign's own counters stay whole


def test_batches_and_the_rest_add_up_to_the_campaign(driven):
    _, client, _, campaign_id = driven
    whole = statistics(client, campaignId=campaign_id)["countDetail"][0]
    parts = [
        statistics(client, campaignId=campaign_id, batchId=b)["countDetail"][0]["batchDetail"][0]
        for b in ("A", "B")
    ]
    unbatched = counters(unCallCount=1, totalCount=1)  # n: never called
    for name in COUNTERS:
        assert whole[name] == parts[0][name] + parts[1][name] + unbatched[name], name


def test_today_ends_at_midnight_in_the_configured_zone(make_server):
    # 15:30 UTC is 23:30 in Shanghai (UTC+8)
    clock = MovableClock(datetime(2031, 6, 1, 15, 30, 0))
    server = make_server(clock=clock, timezone="Asia/Shanghai", **MANUAL)
    with server.client() as client:
        campaign_id = campaign_on(client, clock)
        ids = add_numbers(client, campaign_id, [{"called": "6001"}, {"called": "6002"}])
        dial(client, campaign_id, {"first": "6"}, {"first": ids[0]})
        today = counters(
            unCallCount=1,
            totalCount=2,
            totalFinishCount=1,
            totalCalledCount=1,
            totalCallSucc=1,
            calledCount=1,
            finishCount=1,
            dailyCalledCount=1,
            dailyCallSucc=1,
            dailyFinishCount=1,
            dailyCount=2,
        )
        [entry] = statistics(client, campaignId=campaign_id)["countDetail"]
        assert {name: entry[name] for name in COUNTERS} == today
        clock.advance(3600)  # 00:30 the next day in Shanghai, still 1 June in UTC
        [entry] = statistics(client, campaignId=campaign_id)["countDetail"]
        totals = ("unCallCount", "totalCount", "totalFinishCount", "totalCalledCount")
        assert {name: entry[name] for name in COUNTERS} == counters(
            **{name: today[name] for name in (*totals, "totalCallSucc")}
        )


def test_without_campaign_id_every_campaign_of_the_vdn(driven):
    server, client, clock, campaign_id = driven
    empty = campaign_on(client, clock)
    other_vdn = campaign_on(client, clock, vdn=13)
    answer = statistics(client)
    assert [entry["campaignId"] for entry in answer["countDetail"]] == [
        str(campaign_id),
        str(empty),
    ]
    assert answer["countDetail"][1] == {
        "campaignId": str(empty),
        **counters(),
        "batchDetail": [],
        "agentCount": NO_AGENTS,
    }
    assert answer["countDetail"][0] == statistics(client, campaignId=campaign_id)["countDetail"][0]
    assert [e["campaignId"] for e in statistics(client, vdn=13)["countDetail"]] == [str(other_vdn)]


def test_a_recalled_number_counts_once_per_number_and_once_per_call(driven):
    """A number completed twice today (e.g. recalled by a business-result policy)."""
    server, client, _, campaign_id = driven
    [entry] = statistics(client, campaignId=campaign_id)["countDetail"]
    execute_sql(
        server.services,
        "INSERT INTO call_results (data_id, campaign_id, vdn_id, called, custom_field, call_id,"
        " call_status, fail_code, attempt, final, reported_at) SELECT data_id, campaign_id,"
        " vdn_id, called, custom_field, 'recall', '6', '00000', attempt + 1, 1, reported_at"
        f" FROM call_results WHERE campaign_id = {campaign_id} AND call_status = '5'"
        " AND attempt = 1 AND called = '9004'",  # b0, failed today
    )
    [after] = statistics(client, campaignId=campaign_id)["countDetail"]
    changed = {name: after[name] - entry[name] for name in COUNTERS if after[name] != entry[name]}
    assert changed == {
        "totalCallSucc": 1,
        "dailyCalledCount": 1,
        "dailyCallSucc": 1,
        "dailyFinishCount": 1,
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"batchId": "A"}, "02000009"),
        ({"campaignId": "abc"}, "02000006"),
        ({"campaignId": "0"}, "02000007"),
        ({"campaignId": "987654"}, "0200007"),
        ({"campaignId": "1", "batchId": "x" * 201}, "02000003"),
        ({"campaignId": "1", "other": "1"}, "0200001"),
    ],
)
def test_invalid_requests(client, params, code):
    answer = statistics(client, **params)
    assert_code(answer, code)
    assert "countDetail" not in answer


def test_a_campaign_of_another_vdn_is_0200007(client):
    other_vdn = create_campaign(client, vdn=13)
    assert_code(statistics(client, campaignId=other_vdn), "0200007")
    assert_code(statistics(client, vdn=13, campaignId=other_vdn), SUCCESS)


def test_vdn_not_granted_is_403(server):
    with server.client((13,)) as other:
        assert other.get(statistics_path(12)).status_code == 403


def test_no_flow_control_by_default(client):
    campaign_id = create_campaign(client)
    for _ in range(3):
        assert_code(statistics(client, campaignId=campaign_id), SUCCESS)


def test_flow_control_once_per_interval_per_vdn_and_campaign(make_server):
    clock = MovableClock()
    settings = {**MANUAL, "statistics_flow_control_enabled": True}
    server = make_server(clock=clock, statistics_min_interval_seconds=300, **settings)
    with server.client((12, 13)) as client:
        first, second = create_campaign(client), create_campaign(client)

        def status(**params) -> int:
            response = client.get(statistics_path(params.pop("vdn", 12)), params=params)
            if response.status_code == 200:
                assert_code(response.json(), SUCCESS)
            return response.status_code

        assert status(campaignId=first) == 200
        refused = client.get(statistics_path(), params={"campaignId": first})
        assert refused.status_code == 429 and refused.json()["error"]
        assert status(campaignId=first, batchId="A") == 429  # the batch is the same key
        assert status(campaignId=second) == 200
        assert status() == 200  # all campaigns of the VDN: a key of its own
        assert status() == 429
        assert status(vdn=13) == 200
        # a refused request (unknown campaign) does not use a turn
        for _ in range(2):
            answer = statistics(client, campaignId=987654)
            assert_code(answer, "0200007")
        clock.advance(299)
        assert status(campaignId=first) == 429
        clock.advance(1)
        assert status(campaignId=first) == 200
        assert status(campaignId=first) == 429

        # the mark is in the store: another server on the same store sees it
        other = start_server(server.settings.db, clock=clock, **settings)
        try:
            with other.client((12,)) as other_client:
                response = other_client.get(statistics_path(), params={"campaignId": first})
                assert response.status_code == 429
                response = other_client.get(statistics_path(), params={"campaignId": second})
                assert response.status_code == 200
        finally:
            other.stop()


def test_concurrent_requests_of_two_servers_get_one_answer(make_server):
    clock = MovableClock()
    settings = {**MANUAL, "statistics_flow_control_enabled": True}
    first = make_server(clock=clock, **settings)
    second = start_server(first.settings.db, clock=clock, **settings)
    try:
        with first.client() as client:
            campaign_id = create_campaign(client)
        clients = [s.client() for s in (first, second) for _ in range(4)]
        start = threading.Barrier(len(clients))

        def ask(signed) -> int:
            start.wait()
            return signed.get(statistics_path(), params={"campaignId": campaign_id}).status_code

        with ThreadPoolExecutor(len(clients)) as pool:
            statuses = sorted(pool.map(ask, clients))
        assert statuses == [200] + [429] * (len(clients) - 1)
        for signed in clients:
            signed.close()
    finally:
        second.stop()


def test_documented_in_the_openapi_document(server):
    document = httpx.get(server.base_url + "/openapi.json", timeout=30).json()
    operation = document["paths"]["/rest/isales/v2/openapi/campaigns/{vdnId}/statistics"]["get"]
    assert {"200", "401", "403", "429"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {
        "campaignId",
        "batchId",
    }
    results = "/rest/isales/v1/openapi/campaigns/{vdnId}/callresult/{campaignId}"
    body = document["paths"][results]["post"]["requestBody"]["content"]["application/json"]
    assert set(body["schema"]["properties"]) == {
        "sessionId",
        "customField",
        "pageSize",
        "pageNum",
        "showDetail",
        "beginTime",
        "endTime",
    }
    assert (
        "get"
        in document["paths"]["/rest/isales/v1/openapi/campaigns/{vdnId}/callresultdetail/{callId}"]
    )
