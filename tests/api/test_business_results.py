"""Business-result write-back (docs/api.md#business-result-write-back) and the recalls of a
campaign's busiPolicy."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from tests.support.api import (
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
    rows,
    utc_now,
)

pytestmark = pytest.mark.usefixtures("backend")

BUSI_FIELDS = ("busi_result", "sub_status", "busi_desc", "work_no")
BUSI_POLICY = [
    {"busiResultCode": "SALE", "busiResultSubCode": "paid", "busiResultPolicy": 0},
    {
        "busiResultCode": "SALE",
        "busiResultSubCode": "later",
        "busiResultPolicy": 2,
        "callInterval": 120,
    },
    {"busiResultCode": "AGAIN", "busiResultPolicy": 2, "callInterval": 300},
    {"busiResultCode": "NEXT", "busiResultPolicy": 1, "callInterval": 60},
    {"busiResultCode": "STOP", "busiResultPolicy": 0},
]


def write_path(data_id: int | str, vdn: int = 12) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{vdn}/callBusiResult/{data_id}"


def write_back(client, data_id, body: Any, vdn: int = 12) -> dict:  # type: ignore[no-untyped-def]
    return ok_json(client.post(write_path(data_id, vdn), json=body))


def set_busi_policy(client, campaign_id, busi=BUSI_POLICY, items=()) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(
        f"/rest/isales/v1/openapi/campaigns/12/retryPolicy/{campaign_id}",
        json={"policyType": 0, "policyJson": json.dumps(list(items)), "busiPolicy": busi},
    ).json()
    assert_code(answer, SUCCESS)


def number(server, data_id) -> dict:  # type: ignore[no-untyped-def]
    [row] = rows(server.services, "numbers", id=int(data_id))
    return row


def results(server, data_id) -> list[dict]:  # type: ignore[no-untyped-def]
    return sorted(
        rows(server.services, "call_results", data_id=int(data_id)), key=lambda r: r["id"]
    )


def busi(row: dict) -> tuple:
    return tuple(row[name] for name in BUSI_FIELDS)


def completed_number(client, campaign_id) -> str:  # type: ignore[no-untyped-def]
    [data_id] = add_numbers(client, campaign_id, numbers(1))
    [item] = claim(client, campaign_id, 1)
    assert item["uniqueId"] == data_id
    assert report(client, campaign_id, data_id) == {"result": "0"}
    return data_id


def execute_due_now(server, data_id) -> None:  # type: ignore[no-untyped-def]
    execute_sql(
        server.services,
        f"UPDATE numbers SET next_due_at = '2000-01-01 00:00:00' WHERE id = {data_id}",
    )


@pytest.fixture
def campaign(client) -> int:
    """An executing campaign with BUSI_POLICY; no schedule windows, so it dials any time."""
    campaign_id = create_campaign(client, init_status=0, scheduleParam={})
    set_busi_policy(client, campaign_id)
    return campaign_id


# --- storing the result ---


def test_write_back_is_stored_on_the_number_and_its_latest_attempt(client, server):
    campaign_id = create_campaign(client, init_status=0, scheduleParam={})
    items = [{"type": 1, "policy": [{"result": "00603", "retryNumber": 1, "callInterval": 1}]}]
    set_busi_policy(client, campaign_id, busi=[], items=items)
    [data_id] = add_numbers(client, campaign_id, numbers(1))
    claim(client, campaign_id, 1)
    report(client, campaign_id, data_id, status="5")  # 00603: retried after 1 s
    assert number(server, data_id)["state"] == "retry"
    execute_due_now(server, data_id)
    claim(client, campaign_id, 1)
    report(client, campaign_id, data_id, status="6")
    body = {"busiResult": "SALE", "subStatus": "paid", "busiResultDesc": "ok", "workNo": "1001"}
    answer = write_back(client, data_id, body)
    assert answer == {
        "resultCode": SUCCESS,
        "resultDesc": "write back business result succeeded",
        "returnCode": SUCCESS,
        "returnDesc": "write back business result succeeded",
    }
    assert busi(number(server, data_id)) == ("SALE", "paid", "ok", "1001")
    first, latest = results(server, data_id)
    assert busi(first) == (None, None, None, None)
    assert busi(latest) == ("SALE", "paid", "ok", "1001")


def test_a_second_write_back_replaces_the_first(client, server, campaign):
    data_id = completed_number(client, campaign)
    write_back(client, data_id, {"busiResult": "X", "subStatus": "y", "workNo": "7"})
    assert_code(write_back(client, data_id, {"busiResult": "Z", "busiResultDesc": "d"}), SUCCESS)
    assert busi(number(server, data_id)) == ("Z", None, "d", None)
    assert busi(results(server, data_id)[-1]) == ("Z", None, "d", None)


def test_unknown_number_or_one_of_another_vdn_is_0200033(client, server):
    other = create_campaign(client, vdn=13)
    [theirs] = add_numbers(client, other, numbers(1), vdn=13)
    for data_id in ("999999999", theirs):
        assert_code(write_back(client, data_id, {"busiResult": "SALE"}), "0200033")
    assert busi(number(server, theirs)) == (None, None, None, None)


def test_a_number_without_reported_call_is_0200999(client, server, campaign):
    calling, pending = add_numbers(client, campaign, numbers(2))
    claim(client, campaign, 1)
    assert (number(server, calling)["state"], number(server, pending)["state"]) == (
        "calling",
        "pending",
    )
    for data_id in (pending, calling):
        assert_code(write_back(client, data_id, {"busiResult": "SALE"}), "0200999")
        assert busi(number(server, data_id)) == (None, None, None, None)


def test_sub_status_must_belong_to_the_result(client, server, campaign):
    data_id = completed_number(client, campaign)
    answer = write_back(client, data_id, {"busiResult": "SALE", "subStatus": "unknown"})
    assert_code(answer, "0200034")
    assert busi(number(server, data_id)) == (None, None, None, None)
    # a result whose policy lists no sub-codes, or that has no policy, takes any sub-status
    for result in ("AGAIN", "UNLISTED"):
        assert_code(write_back(client, data_id, {"busiResult": result, "subStatus": "x"}), SUCCESS)
    assert_code(write_back(client, data_id, {"busiResult": "SALE"}), SUCCESS)


def test_without_a_busi_policy_any_result_is_stored(client, server):
    campaign_id = create_campaign(client, init_status=0, scheduleParam={})
    data_id = completed_number(client, campaign_id)
    assert_code(write_back(client, data_id, {"busiResult": "A", "subStatus": "b"}), SUCCESS)
    row = number(server, data_id)
    assert (row["state"], row["busi_result"]) == ("completed", "A")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "02000001"),
        ({"subStatus": "x"}, "02000001"),
        ({"busiResult": ""}, "02000001"),
        ({"busiResult": "x" * 51}, "02000003"),
        ({"busiResult": "A", "subStatus": "x" * 51}, "02000003"),
        ({"busiResult": "A", "busiResultDesc": "x" * 1025}, "02000003"),
        ({"busiResult": "A", "workNo": "1" * 33}, "02000003"),
        ({"busiResult": ["A"]}, "02000006"),
        ({"busiResult": "A", "agent": "1"}, "0200001"),
        ([], "02000006"),
    ],
)
def test_invalid_write_backs_change_nothing(client, server, campaign, body, code):
    data_id = completed_number(client, campaign)
    assert_code(write_back(client, data_id, body), code)
    assert busi(number(server, data_id)) == (None, None, None, None)


def test_edge_lengths_are_accepted(client, server, campaign):
    data_id = completed_number(client, campaign)
    body = {
        "busiResult": "R" * 50,
        "subStatus": "s" * 50,
        "busiResultDesc": "d" * 1024,
        "workNo": "9" * 32,
    }
    assert_code(write_back(client, data_id, body), SUCCESS)
    assert busi(number(server, data_id)) == tuple(body.values())


@pytest.mark.parametrize(("data_id", "code"), [("abc", "02000006"), ("0", "02000007")])
def test_data_id_must_be_a_positive_integer(client, data_id, code):
    assert_code(write_back(client, data_id, {"busiResult": "A"}), code)


def test_the_vdn_must_be_granted(server):
    with server.client((12,)) as only_12:
        response = only_12.post(write_path(1, vdn=13), json={"busiResult": "A"})
        assert response.status_code == 403


# --- recalls ---


def test_call_current_number_again_recalls_after_the_interval(make_server):
    clock = MovableClock(utc_now().replace(microsecond=0))
    server = make_server(clock=clock)
    with server.client() as dialer:
        campaign_id = create_campaign(dialer, init_status=0, scheduleParam={})
        set_busi_policy(dialer, campaign_id)
        data_id = completed_number(dialer, campaign_id)
        answer = write_back(dialer, data_id, {"busiResult": "AGAIN"})
        assert answer["resultDesc"] == (
            "write back business result succeeded; the number is called again"
        )
        row = number(server, data_id)
        assert (row["state"], row["next_due_at"]) == ("retry", clock.now + timedelta(seconds=300))
        clock.advance(299)
        assert claim(dialer, campaign_id, 1) == []
        clock.advance(1)
        [item] = claim(dialer, campaign_id, 1)
        assert item["uniqueId"] == data_id
        assert report(dialer, campaign_id, data_id) == {"result": "0"}
        row = number(server, data_id)
        assert (row["state"], row["attempts"]) == ("completed", 2)
        # the recall's own attempt is the latest one now; the write-back stays on the first
        first, latest = results(server, data_id)
        assert (first["busi_result"], latest["busi_result"]) == ("AGAIN", None)


def test_call_next_number_recalls_like_call_again(client, server, campaign):
    data_id = completed_number(client, campaign)
    write_back(client, data_id, {"busiResult": "NEXT"})
    row = number(server, data_id)
    assert row["state"] == "retry" and row["next_due_at"] is not None


def test_the_sub_status_rule_wins_over_the_bare_result(client, server, campaign):
    later, paid = completed_number(client, campaign), completed_number(client, campaign)
    write_back(client, later, {"busiResult": "SALE", "subStatus": "later"})
    write_back(client, paid, {"busiResult": "SALE", "subStatus": "paid"})
    assert (number(server, later)["state"], number(server, paid)["state"]) == (
        "retry",
        "completed",
    )


def test_stop_or_unmatched_results_do_not_recall(client, server, campaign):
    for result in ("STOP", "UNLISTED"):
        data_id = completed_number(client, campaign)
        answer = write_back(client, data_id, {"busiResult": result})
        assert answer["resultDesc"] == "write back business result succeeded"
        row = number(server, data_id)
        assert (row["state"], row["next_due_at"]) == ("completed", None)


def test_only_a_completed_number_is_recalled(make_server):
    clock = MovableClock(utc_now().replace(microsecond=0))
    server = make_server(clock=clock)
    with server.client() as dialer:
        campaign_id = create_campaign(dialer, init_status=0, scheduleParam={})
        items = [
            {"type": 1, "policy": [{"result": "00603", "retryNumber": 1, "callInterval": 900}]}
        ]
        set_busi_policy(dialer, campaign_id, items=items)
        [data_id] = add_numbers(dialer, campaign_id, numbers(1))
        claim(dialer, campaign_id, 1)
        report(dialer, campaign_id, data_id, status="5")
        due = clock.now + timedelta(seconds=900)
        assert_code(write_back(dialer, data_id, {"busiResult": "AGAIN"}), SUCCESS)
        row = number(server, data_id)
        assert (row["state"], row["next_due_at"], row["busi_result"]) == ("retry", due, "AGAIN")
        clock.advance(900)
        claim(dialer, campaign_id, 1)
        assert_code(write_back(dialer, data_id, {"busiResult": "AGAIN"}), SUCCESS)
        assert number(server, data_id)["state"] == "calling"  # a call in progress is left alone
