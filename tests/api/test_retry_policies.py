"""Retry policies (docs/api.md#retry-policies): the set/query interface, and applying them
to results."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.api import (
    OBS,
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    campaign_body,
    campaigns_path,
    claim,
    count,
    create_campaign,
    numbers,
    ok_json,
    rows,
    utc_now,
)

pytestmark = pytest.mark.usefixtures("backend")

NO_WINDOWS = {}  # scheduleParam without windows: the campaign may dial at any hour


def policy_path(campaign_id: int | str, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/retryPolicy/{campaign_id}"


def set_policy(client, campaign_id, body: Any, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(policy_path(campaign_id, vdn), json=body))


def get_policy(client, campaign_id, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.get(policy_path(campaign_id, vdn)))


def policy(items: list, policy_type: int = 0, **extra: Any) -> dict:
    return {"policyType": policy_type, "policyJson": json.dumps(items), **extra}


def by_result(code: str, retries: int, interval: int, **item: Any) -> dict:
    rule = {"result": code, "retryNumber": retries, "callInterval": interval}
    return {"type": 1, "policy": [rule], **item}


def report_failure(client, campaign_id, data_id, fail_code="00603", status="5") -> None:  # type: ignore[no-untyped-def]
    answer = client.post(
        f"{OBS}/call/result",
        json={
            "subCCNo": 1,
            "vdnId": 12,
            "serviceId": str(campaign_id),
            "uniqueId": data_id,
            "status": status,
            "failCode": fail_code,
        },
    ).json()
    assert answer == {"result": "0"}


def number(server, data_id) -> dict:  # type: ignore[no-untyped-def]
    [row] = rows(server.services, "numbers", id=int(data_id))
    return row


def claimed_ids(client, campaign_id) -> list[str]:  # type: ignore[no-untyped-def]
    return [item["uniqueId"] for item in claim(client, campaign_id, 10)]


def whole_second_clock(hour: int | None = None) -> MovableClock:
    now = utc_now().replace(microsecond=0)
    return MovableClock(now if hour is None else now.replace(hour=hour, minute=0, second=0))


def executing_campaign(client, **overrides: Any) -> int:  # type: ignore[no-untyped-def]
    return create_campaign(client, init_status=0, scheduleParam=NO_WINDOWS, **overrides)


def add_v2(client, campaign_id, *types: str) -> list[str]:  # type: ignore[no-untyped-def]
    records = [
        {"sessionId": f"s{i}", "called": [{"calledNo": f"139{i:05d}", "type": kind}]}
        for i, kind in enumerate(types)
    ]
    answer = client.post(
        f"/rest/isales/v2/openapi/campaigns/12/calldata/{campaign_id}",
        json={"callDataList": records},
    ).json()
    assert_code(answer, SUCCESS)
    return [item["dataId"] for item in answer["returnObject"]["dataIdList"]]


# --- set and query ---


def test_set_then_query_returns_the_policy(client):
    campaign_id = create_campaign(client)
    items = [{"dataType": "", "type": 0, "retryDay": 2, "retryTimes": 3, "noRetryPolicy": ["1"]}]
    busi = [
        {"busiResultCode": "SALE", "busiResultPolicy": 0},
        {
            "busiResultCode": "CB",
            "busiResultSubCode": "later",
            "busiResultPolicy": 2,
            "callInterval": 60,
        },
    ]
    body = policy(items, busiPolicy=busi)
    answer = set_policy(client, campaign_id, body)
    assert answer == {
        "resultCode": SUCCESS,
        "resultDesc": "set retry policy succeeded",
        "returnCode": SUCCESS,
        "returnDesc": "set retry policy succeeded",
    }
    answer = get_policy(client, campaign_id)
    assert_code(answer, SUCCESS)
    assert answer["data"] == {
        "retryPolicyId": str(campaign_id),
        "policyType": 0,
        "policyJson": body["policyJson"],
        "busiPolicy": [
            {
                "busiResultCode": "SALE",
                "busiResultSubCode": "",
                "busiResultPolicy": 0,
                "callInterval": None,
            },
            {
                "busiResultCode": "CB",
                "busiResultSubCode": "later",
                "busiResultPolicy": 2,
                "callInterval": 60,
            },
        ],
    }


def test_a_campaign_without_policy_answers_the_empty_one(client):
    campaign_id = create_campaign(client)
    answer = get_policy(client, campaign_id)
    assert_code(answer, SUCCESS)
    assert answer["data"] == {
        "retryPolicyId": str(campaign_id),
        "policyType": 0,
        "policyJson": "[]",
        "busiPolicy": [],
    }


def test_setting_again_replaces_the_whole_policy(client):
    campaign_id = create_campaign(client)
    first = policy(
        [by_result("00603", 1, 60)], busiPolicy=[{"busiResultCode": "A", "busiResultPolicy": 0}]
    )
    assert_code(set_policy(client, campaign_id, first), SUCCESS)
    second = policy([by_result("00537", 2, 30, dataType="SI")], policy_type=1)
    assert_code(set_policy(client, campaign_id, second), SUCCESS)
    data = get_policy(client, campaign_id)["data"]
    assert (data["policyType"], data["policyJson"], data["busiPolicy"]) == (
        1,
        second["policyJson"],
        [],
    )


def test_unknown_campaign_or_one_of_another_vdn_is_0200007(client):
    other_vdn = create_campaign(client, vdn=13)
    body = policy([by_result("00603", 1, 60)])
    for path_vdn, campaign_id in ((12, 987654), (12, other_vdn)):
        assert_code(set_policy(client, campaign_id, body, vdn=path_vdn), "0200007")
        assert_code(get_policy(client, campaign_id, vdn=path_vdn), "0200007")
    assert get_policy(client, other_vdn, vdn=13)["data"]["policyJson"] == "[]"


def test_path_and_grant_are_checked(client, server):
    assert_code(get_policy(client, "x"), "02000006")
    assert_code(set_policy(client, 0, policy([])), "02000007")
    with server.client((12,)) as only_12:
        response = only_12.get(policy_path(1, vdn=13))
        assert response.status_code == 403


ORDINARY = {"type": 0, "retryDay": 1, "retryTimes": 2}
RULE = {"result": "00603", "retryNumber": 1, "callInterval": 60}
BUSI = {"busiResultCode": "A", "busiResultPolicy": 2, "callInterval": 60}

INVALID = [
    ({"policyType": 0}, "02000001"),
    ({"policyJson": "[]"}, "02000001"),
    ({"policyType": 2, "policyJson": "[]"}, "02000007"),
    ({"policyType": "global", "policyJson": "[]"}, "02000006"),
    ({"policyType": 0, "policyJson": []}, "02000006"),
    ({"policyType": 0, "policyJson": "[{'type': 0"}, "02000008"),
    ({"policyType": 0, "policyJson": "not json"}, "02000008"),
    ({"policyType": 0, "policyJson": "[NaN]"}, "02000008"),
    ({"policyType": 0, "policyJson": "x" * 65_537}, "02000003"),
    ({"policyType": 0, "policyJson": "[]", "extra": 1}, "0200001"),
    (policy({"type": 0}), "02000006"),  # not a list
    (policy([1]), "02000006"),
    (policy([{**ORDINARY, "colour": "red"}]), "0200001"),
    (policy([{"retryDay": 1, "retryTimes": 1}]), "02000001"),
    (policy([{**ORDINARY, "type": 3}]), "02000007"),
    (policy([{**ORDINARY, "type": True}]), "02000006"),
    (policy([{"type": 0, "retryTimes": 2}]), "02000001"),
    (policy([{"type": 0, "retryDay": 1}]), "02000001"),
    (policy([{**ORDINARY, "retryDay": 0}]), "02000007"),
    (policy([{**ORDINARY, "retryDay": 31}]), "02000007"),
    (policy([{**ORDINARY, "retryTimes": 11}]), "02000007"),
    (policy([{**ORDINARY, "retryTimes": 1.5}]), "02000006"),
    (policy([{**ORDINARY, "retryTime": 3}]), "02000009"),  # retryTimes 2 and retryTime 3
    (policy([{"type": 0, "policy": {"retryDay": 1}}]), "02000001"),
    (policy([{"type": 0, "policy": "{"}]), "02000008"),
    (policy([{"type": 1}]), "02000001"),
    (policy([{"type": 1, "policy": []}]), "02000001"),
    (policy([{"type": 1, "policy": "[{"}]), "02000008"),
    (policy([{"type": 1, "policy": {"result": "00603"}}]), "02000006"),
    (policy([{"type": 1, "policy": [{**RULE, "result": ""}]}]), "02000001"),
    (policy([{"type": 1, "policy": [{**RULE, "result": "1" * 11}]}]), "02000003"),
    (policy([{"type": 1, "policy": [{**RULE, "retryNumber": 11}]}]), "02000007"),
    (policy([{"type": 1, "policy": [{**RULE, "callInterval": 0}]}]), "02000007"),
    (policy([{"type": 1, "policy": [{**RULE, "callInterval": 86_401}]}]), "02000007"),
    (policy([{"type": 1, "policy": [{**RULE, "wait": 1}]}]), "0200001"),
    (policy([{"type": 1, "policy": [RULE, RULE]}]), "02000009"),
    (policy([ORDINARY, ORDINARY]), "02000009"),  # global: one item
    (policy([{**ORDINARY, "noRetryPolicy": ["00538"]}], policy_type=1), "02000009"),
    (policy([ORDINARY, {**ORDINARY, "dataType": ""}], policy_type=1), "02000009"),
    (policy([{**ORDINARY, "dataType": "x" * 33}], policy_type=1), "02000003"),
    (policy([{**ORDINARY, "noRetryPolicy": "00538"}]), "02000006"),
    (policy([{**ORDINARY, "noRetryPolicy": ["0" * 11]}]), "02000003"),
    (policy([ORDINARY] * 51, policy_type=1), "02000011"),
    (policy([], busiPolicy={"busiResultCode": "A"}), "02000006"),
    (policy([], busiPolicy=[{"busiResultPolicy": 0}]), "02000001"),
    (policy([], busiPolicy=[{"busiResultCode": "A"}]), "02000001"),
    (policy([], busiPolicy=[{**BUSI, "busiResultCode": "x" * 51}]), "02000003"),
    (policy([], busiPolicy=[{**BUSI, "busiResultSubCode": "x" * 51}]), "02000003"),
    (policy([], busiPolicy=[{**BUSI, "busiResultPolicy": 3}]), "02000007"),
    (policy([], busiPolicy=[{**BUSI, "callInterval": 0}]), "02000007"),
    (policy([], busiPolicy=[{**BUSI, "callInterval": 3601}]), "02000007"),
    (policy([], busiPolicy=[{**BUSI, "callInterval": None}]), "02000001"),
    (policy([], busiPolicy=[{**BUSI, "busiResultPolicy": 1, "callInterval": None}]), "02000001"),
    (policy([], busiPolicy=[BUSI, {**BUSI, "busiResultPolicy": 0}]), "02000009"),
    (policy([], busiPolicy=[{**BUSI, "x": 1}]), "0200001"),
]


@pytest.mark.parametrize(("body", "code"), INVALID)
def test_invalid_policies_are_refused_and_change_nothing(client, body, code):
    campaign_id = create_campaign(client)
    kept = policy([by_result("00603", 1, 60)])
    assert_code(set_policy(client, campaign_id, kept), SUCCESS)
    assert_code(set_policy(client, campaign_id, body), code)
    assert get_policy(client, campaign_id)["data"]["policyJson"] == kept["policyJson"]


ACCEPTED = [
    policy([]),
    policy([{"type": 0, "retryDay": 30, "retryTimes": 10}]),
    policy([{"type": 0, "retryDay": "2", "retryTime": "3"}]),  # the ZH spelling, digit strings
    policy([{"type": 0, "retryDay": 1, "retryTimes": 2, "retryTime": 2}]),
    policy([{"type": 0, "policy": {"retryDay": 1, "retryTimes": 2}}]),
    policy([{"type": 0, "retryDay": 1, "retryTimes": 2, "policy": []}]),  # policy ignored
    policy([{"type": 1, "policy": json.dumps([RULE]), "retryDay": 2}]),  # counts ignored
    policy([{"type": 1, "policy": [{**RULE, "result": 603, "retryNumber": 0}]}]),
    policy([{"type": 1, "policy": [RULE], "noRetryPolicy": ["00538", 604]}]),
    policy([{**ORDINARY, "dataType": "SI"}, ORDINARY], policy_type=1),
    {
        "policyType": 1,
        "policyJson": "[{'dataType':'SI','type':1,"
        "'policy':[{'result':4,'retryNumber':3,'callInterval':600}]}]",
    },
    policy(
        [],
        busiPolicy=[
            BUSI,
            {**BUSI, "busiResultSubCode": "s"},
            {"busiResultCode": "B", "busiResultPolicy": 0},
        ],
    ),
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_accepted_policies(client, body):
    campaign_id = create_campaign(client)
    assert_code(set_policy(client, campaign_id, body), SUCCESS)
    data = get_policy(client, campaign_id)["data"]
    assert data["policyType"] == body["policyType"]
    assert data["policyJson"] == (body["policyJson"] if body["policyJson"] != "[]" else "[]")


# --- applying a result-based policy ---


def test_result_policy_end_to_end(make_server):
    clock = whole_second_clock()
    server = make_server(clock=clock)
    with server.client() as dialer:
        campaign_id = executing_campaign(dialer)
        set_policy(dialer, campaign_id, policy([by_result("00603", 2, 300)]))
        [data_id] = add_numbers(dialer, campaign_id, numbers(1))
        for attempt in (1, 2):
            assert claimed_ids(dialer, campaign_id) == [data_id]
            report_failure(dialer, campaign_id, data_id, "00603")
            row = number(server, data_id)
            assert (row["state"], row["attempts"]) == ("retry", attempt)
            assert row["next_due_at"] == clock.now + timedelta(seconds=300)
            clock.advance(299)
            assert claimed_ids(dialer, campaign_id) == []  # not due yet
            clock.advance(1)
        assert claimed_ids(dialer, campaign_id) == [data_id]
        report_failure(dialer, campaign_id, data_id, "00603")  # both retries spent
        row = number(server, data_id)
        assert (row["state"], row["attempts"], row["next_due_at"]) == ("completed", 3, None)
        results = rows(server.services, "call_results", data_id=int(data_id))
        assert [r["final"] for r in sorted(results, key=lambda r: r["id"])] == [0, 0, 1]
        clock.advance(3600)
        assert claimed_ids(dialer, campaign_id) == []


def test_result_policy_other_codes_and_connected_calls_are_final(make_server):
    clock = whole_second_clock()
    server = make_server(clock=clock)
    with server.client() as dialer:
        campaign_id = executing_campaign(dialer)
        set_policy(dialer, campaign_id, policy([by_result("00603", 2, 300)]))
        no_rule, connected, mixed = add_numbers(dialer, campaign_id, numbers(3))
        claim(dialer, campaign_id, 3)
        report_failure(dialer, campaign_id, no_rule, "00537")
        report_failure(dialer, campaign_id, connected, "00000", status="6")
        report_failure(dialer, campaign_id, mixed, "00603")
        assert number(server, no_rule)["state"] == "completed"
        assert number(server, connected)["state"] == "completed"
        assert number(server, mixed)["state"] == "retry"


def test_no_policy_keeps_one_attempt_final(client, server):
    campaign_id = executing_campaign(client)
    [data_id] = add_numbers(client, campaign_id, numbers(1))
    claim(client, campaign_id, 1)
    report_failure(client, campaign_id, data_id)
    row = number(server, data_id)
    assert (row["state"], row["next_due_at"]) == ("completed", None)


def test_no_retry_codes_complete_the_number(make_server):
    clock = whole_second_clock()
    server = make_server(clock=clock, retry_ordinary_interval_seconds=120)
    with server.client() as dialer:
        campaign_id = executing_campaign(dialer)
        item = {"type": 0, "retryDay": 3, "retryTimes": 5, "noRetryPolicy": ["00538", "00604"]}
        set_policy(dialer, campaign_id, policy([item]))
        wrong_number, no_answer = add_numbers(dialer, campaign_id, numbers(2))
        claim(dialer, campaign_id, 2)
        report_failure(dialer, campaign_id, wrong_number, "00538")
        report_failure(dialer, campaign_id, no_answer, "00603")
        assert number(server, wrong_number)["state"] == "completed"
        row = number(server, no_answer)
        assert row["state"] == "retry"
        assert row["next_due_at"] == clock.now + timedelta(seconds=120)


# --- applying an ordinary policy ---


def test_ordinary_policy_limits_attempts_per_local_day(make_server):
    # 12:00 UTC is 20:00 in Shanghai (UTC+8, no daylight saving); its next day starts 16:00 UTC
    clock = whole_second_clock(hour=12)
    noon = clock.now
    server = make_server(clock=clock, timezone="Asia/Shanghai", retry_ordinary_interval_seconds=600)
    with server.client() as dialer:
        campaign_id = executing_campaign(dialer)
        item = {"type": 0, "retryDay": 2, "retryTime": 2}
        set_policy(dialer, campaign_id, policy([item]))
        [data_id] = add_numbers(dialer, campaign_id, numbers(1))

        def attempt(expected_state: str, expected_due: datetime | None) -> None:
            assert claimed_ids(dialer, campaign_id) == [data_id]
            report_failure(dialer, campaign_id, data_id)
            row = number(server, data_id)
            assert (row["state"], row["next_due_at"]) == (expected_state, expected_due)

        next_local_day = noon.replace(hour=16)
        attempt("retry", noon + timedelta(seconds=600))  # day 1, attempt 1: the gap
        clock.advance(600)
        attempt("retry", next_local_day)  # day 1, attempt 2: today's attempts spent
        clock.now = next_local_day - timedelta(seconds=1)
        assert claimed_ids(dialer, campaign_id) == []
        clock.now = next_local_day
        attempt("retry", next_local_day + timedelta(seconds=600))  # day 2, attempt 1
        clock.advance(600)
        attempt("completed", None)  # day 2, attempt 2: the two days are spent
        assert number(server, data_id)["attempts"] == 4


def test_ordinary_days_count_from_the_first_attempt(make_server):
    clock = whole_second_clock(hour=23)
    clock.advance(55 * 60)  # 23:55 UTC
    server = make_server(clock=clock, retry_ordinary_interval_seconds=600)
    with server.client() as dialer:
        campaign_id = executing_campaign(dialer)
        set_policy(dialer, campaign_id, policy([{"type": 0, "retryDay": 1, "retryTimes": 5}]))
        [data_id] = add_numbers(dialer, campaign_id, numbers(1))
        claim(dialer, campaign_id, 1)
        report_failure(dialer, campaign_id, data_id)
        # the gap would end tomorrow, outside the one attempt day
        assert number(server, data_id)["state"] == "completed"


# --- policyType 1: by number type ---


def test_number_type_policy_picks_the_item_of_the_numbers_type(make_server):
    clock = whole_second_clock()
    server = make_server(clock=clock, retry_ordinary_interval_seconds=120)
    with server.client() as dialer:
        campaign_id = executing_campaign(dialer)
        items = [
            by_result("00603", 1, 60, dataType="SI"),
            {"dataType": "", "type": 0, "retryDay": 1, "retryTimes": 3},
        ]
        set_policy(dialer, campaign_id, policy(items, policy_type=1))
        mobile, home = add_v2(dialer, campaign_id, "SI", "HOME")
        [v1] = add_numbers(dialer, campaign_id, numbers(1))
        assert len(claim(dialer, campaign_id, 3)) == 3
        for data_id in (mobile, home, v1):
            report_failure(dialer, campaign_id, data_id)
        assert number(server, mobile)["next_due_at"] == clock.now + timedelta(seconds=60)
        assert number(server, home)["next_due_at"] == clock.now + timedelta(seconds=120)
        assert number(server, v1)["next_due_at"] == clock.now + timedelta(seconds=120)


def test_number_type_policy_without_fallback_leaves_other_types_final(make_server):
    server = make_server(clock=whole_second_clock())
    with server.client() as dialer:
        campaign_id = executing_campaign(dialer)
        set_policy(dialer, campaign_id, policy([by_result("00603", 1, 60, dataType="SI")], 1))
        mobile, home = add_v2(dialer, campaign_id, "SI", "HOME")
        claim(dialer, campaign_id, 2)
        report_failure(dialer, campaign_id, mobile)
        report_failure(dialer, campaign_id, home)
        assert (number(server, mobile)["state"], number(server, home)["state"]) == (
            "retry",
            "completed",
        )


# --- v2 create carries the policy ---


def create_v2(client, retry_policy: Any) -> dict:  # type: ignore[no-untyped-def]
    body = campaign_body(2, initStatus=0, scheduleParam=NO_WINDOWS, retryPolicy=retry_policy)
    return ok_json(client.post(campaigns_path(version=2), json=body))


def test_v2_create_policy_is_applied(make_server):
    clock = whole_second_clock()
    server = make_server(clock=clock)
    with server.client() as dialer:
        retry_policy = {
            "policyType": 0,
            "policyJson": "[{'type':1,"
            "'policy':[{'result':'00603','retryNumber':1,'callInterval':30}]}]",
            "busiPolicy": [{"busiResultCode": "A", "busiResultPolicy": 2, "callInterval": 5}],
        }
        answer = create_v2(dialer, retry_policy)
        assert_code(answer, SUCCESS)
        campaign_id = answer["returnObject"]["id"]
        data = get_policy(dialer, campaign_id)["data"]
        assert (data["policyType"], data["policyJson"]) == (0, retry_policy["policyJson"])
        assert data["busiPolicy"][0]["busiResultCode"] == "A"
        [data_id] = add_numbers(dialer, campaign_id, numbers(1))
        claim(dialer, campaign_id, 1)
        report_failure(dialer, campaign_id, data_id)
        row = number(server, data_id)
        assert (row["state"], row["next_due_at"]) == ("retry", clock.now + timedelta(seconds=30))
        # the set interface replaces what the create stored
        set_policy(dialer, campaign_id, policy([]))
        clock.advance(30)
        claim(dialer, campaign_id, 1)
        report_failure(dialer, campaign_id, data_id)
        assert number(server, data_id)["state"] == "completed"


@pytest.mark.parametrize(
    ("retry_policy", "code"),
    [
        ({"policyType": 0}, "02000001"),  # policyJson missing
        ({"policyType": 2, "policyJson": "[]"}, "02000007"),
        ({"policyType": 0, "policyJson": "[{"}, "02000008"),
        ({"policyType": 0, "policyJson": "[]", "retry": 1}, "0200001"),
        (
            {"policyType": 1, "policyJson": json.dumps([{**ORDINARY, "noRetryPolicy": ["1"]}])},
            "02000009",
        ),
        (
            {
                "policyType": 0,
                "policyJson": json.dumps([{"type": 1, "policy": [{**RULE, "retryNumber": "x"}]}]),
            },
            "02000006",
        ),
    ],
)
def test_v2_create_with_an_invalid_policy_creates_nothing(client, server, retry_policy, code):
    before = count(server.services, "campaigns")
    answer = create_v2(client, retry_policy)
    assert_code(answer, code)
    assert "retryPolicy." in answer["resultDesc"]
    assert count(server.services, "campaigns") == before
