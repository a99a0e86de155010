"""Retry and business-result rules (domain/retry.py): pure, no store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from isales.domain import days, retry
from isales.domain.retry import AttemptHistory, BusiRule, PolicyItem, ResultRule
from isales.domain.states import NumberState

UTC_ZONE = ZoneInfo("UTC")
SHANGHAI = ZoneInfo("Asia/Shanghai")  # UTC+8, no daylight saving
NOON = datetime(2026, 12, 1, 12, 0, 0)  # naive UTC, like the store
GAP = 600

ORDINARY = PolicyItem("", retry.ORDINARY, days=2, per_day=3)
BY_RESULT = PolicyItem(
    "",
    retry.BY_RESULT,
    rules=(ResultRule("00603", 2, 300), ResultRule("00537", 1, 60)),
    no_retry=frozenset({"00538"}),
)


def stored(items, policy_type=0, busi=None) -> dict:
    value = {"policyType": policy_type, "policyJson": json.dumps(items)}
    if busi is not None:
        value["busiPolicy"] = busi
    return value


# --- reading the stored shape ---


def test_no_stored_policy_is_no_policy():
    assert retry.read_policy(None) == retry.NO_POLICY
    assert retry.read_policy({}) == retry.NO_POLICY
    assert retry.read_policy({"policyType": 1, "policyJson": "[]"}).items == ()


def test_reads_an_ordinary_item_with_either_spelling_or_inside_policy():
    for item in (
        {"type": 0, "retryDay": 2, "retryTimes": 3},
        {"type": 0, "retryDay": "2", "retryTime": 3},
        {"type": 0, "retryDay": 2, "retryTimes": "", "retryTime": 3},
        {"type": 0, "policy": {"retryDay": 2, "retryTimes": 3}},
        {"type": 0, "policy": '{"retryDay": 2, "retryTime": 3}'},
        {"type": 0, "retryDay": 2, "retryTimes": 3, "policy": []},
    ):
        [read] = retry.read_policy(stored([item])).items
        assert (read.kind, read.days, read.per_day) == (retry.ORDINARY, 2, 3), item


def test_reads_huaweis_v2_example_with_single_quotes():
    policy = retry.read_policy(
        {
            "policyType": 1,
            "policyJson": "[{'dataType':'SI','type':1,"
            "'policy':[{'result':4,'retryNumber':3,'callInterval':600}]}]",
        }
    )
    assert policy.policy_type == retry.BY_NUMBER_TYPE
    [item] = policy.items
    assert item.data_type == "SI" and item.rules == (ResultRule("4", 3, 600),)


def test_reads_result_rules_given_as_json_text_and_busi_rules():
    rules = [{"result": "00603", "retryNumber": 2, "callInterval": 300}]
    busi = [
        {
            "busiResultCode": "A",
            "busiResultSubCode": None,
            "busiResultPolicy": 2,
            "callInterval": 9,
        },
        {"busiResultCode": "B", "busiResultSubCode": "b1", "busiResultPolicy": "0"},
    ]
    policy = retry.read_policy(
        stored([{"type": 1, "policy": json.dumps(rules), "noRetryPolicy": ["00538"]}], busi=busi)
    )
    [item] = policy.items
    assert item.rules == (ResultRule("00603", 2, 300),) and item.no_retry == {"00538"}
    assert policy.busi == (BusiRule("A", None, 2, 9), BusiRule("B", "b1", 0, None))


@pytest.mark.parametrize(
    "value",
    [
        {"policyType": 2},  # stored by a create before validation existed
        {"policyType": 0, "policyJson": "not json"},
        {"policyType": 0, "policyJson": '{"type": 0}'},
        {"policyType": 0, "policyJson": '[{"type": 0, "retryDay": 1}]'},
        {"policyType": 0, "policyJson": '[{"type": 1}]'},
        {"policyType": 0, "policyJson": '[{"type": 5}]'},
        {"policyType": 0, "policyJson": "[]", "busiPolicy": [{"busiResultPolicy": 1}]},
    ],
)
def test_an_unreadable_stored_policy_is_no_policy(value):
    assert retry.read_policy(value) == retry.NO_POLICY


def test_decode_json_text_keeps_strict_json_and_refuses_nonsense():
    assert retry.decode_json_text('[{"a": "it\'s"}]') == [{"a": "it's"}]
    for text in ("[NaN]", "{'a': \"b\"}", "[", ""):
        with pytest.raises(ValueError):
            retry.decode_json_text(text)


# --- which item applies ---


def test_item_for_global_and_by_number_type():
    si = PolicyItem("SI", retry.ORDINARY, 1, 1)
    untyped = PolicyItem("", retry.ORDINARY, 1, 2)
    assert retry.RetryPolicy(retry.GLOBAL, (si,)).item_for("XX") is si  # dataType ignored
    by_type = retry.RetryPolicy(retry.BY_NUMBER_TYPE, (si, untyped))
    assert by_type.item_for("SI") is si
    assert by_type.item_for("HOME") is untyped and by_type.item_for("") is untyped
    assert retry.RetryPolicy(retry.BY_NUMBER_TYPE, (si,)).item_for("HOME") is None
    assert retry.NO_POLICY.item_for("SI") is None


def test_number_type_is_the_first_v2_numbers_type():
    assert retry.number_type(None) == ""
    assert retry.number_type([{"calledNo": "1"}]) == ""
    assert retry.number_type([{"calledNo": "1", "type": "SI"}, {"type": "HOME"}]) == "SI"


# --- after a reported attempt ---


NO_ATTEMPTS = AttemptHistory()


def after(item, status="5", code="00603", history=NO_ATTEMPTS, now=NOON, zone=UTC_ZONE):
    return retry.after_result(item, status, code, history, now, zone, GAP)


def test_connected_and_policyless_attempts_are_final():
    assert after(ORDINARY, status="6") == (NumberState.COMPLETED, None)
    assert after(BY_RESULT, status="6") == (NumberState.COMPLETED, None)
    assert after(None) == (NumberState.COMPLETED, None)


def test_no_retry_codes_are_final():
    assert after(BY_RESULT, code="00538") == (NumberState.COMPLETED, None)
    ordinary = PolicyItem("", retry.ORDINARY, 2, 3, no_retry=frozenset({"00538"}))
    assert after(ordinary, code="00538") == (NumberState.COMPLETED, None)
    assert after(ordinary, code="00603")[0] is NumberState.RETRY


def test_result_policy_retries_its_code_retry_number_times():
    assert after(BY_RESULT) == (NumberState.RETRY, NOON + timedelta(seconds=300))
    assert after(BY_RESULT, history=AttemptHistory(NOON, 1, 1))[0] is NumberState.RETRY
    assert after(BY_RESULT, history=AttemptHistory(NOON, 2, 2)) == (NumberState.COMPLETED, None)
    # other codes' failures do not spend this code's retries
    assert after(BY_RESULT, code="00537", history=AttemptHistory(NOON, 2, 0)) == (
        NumberState.RETRY,
        NOON + timedelta(seconds=60),
    )
    assert after(BY_RESULT, code="00604") == (NumberState.COMPLETED, None)  # no rule
    assert after(BY_RESULT, code=None) == (NumberState.COMPLETED, None)


def test_ordinary_policy_spaces_attempts_within_the_day():
    assert after(ORDINARY) == (NumberState.RETRY, NOON + timedelta(seconds=GAP))
    history = AttemptHistory(first_at=NOON - timedelta(hours=1), today=1)
    assert after(ORDINARY, history=history) == (NumberState.RETRY, NOON + timedelta(seconds=GAP))


def test_ordinary_policy_moves_to_the_next_local_day_then_stops():
    spent_today = AttemptHistory(first_at=NOON - timedelta(hours=2), today=2)
    tomorrow = datetime(2026, 12, 2, 0, 0, 0)
    assert after(ORDINARY, history=spent_today) == (NumberState.RETRY, tomorrow)
    # in UTC+8, 12:00 UTC is 20:00 local; the next local day starts at 16:00 UTC
    assert after(ORDINARY, history=spent_today, zone=SHANGHAI) == (
        NumberState.RETRY,
        datetime(2026, 12, 1, 16, 0, 0),
    )
    second_day = AttemptHistory(first_at=NOON - timedelta(days=1), today=2)
    assert after(ORDINARY, history=second_day) == (NumberState.COMPLETED, None)
    assert after(ORDINARY, history=AttemptHistory(NOON - timedelta(days=1), 0))[0] is (
        NumberState.RETRY
    )


def test_ordinary_gap_running_past_midnight_counts_as_the_next_day():
    late = datetime(2026, 12, 1, 23, 55, 0)
    assert after(ORDINARY, now=late) == (NumberState.RETRY, late + timedelta(seconds=GAP))
    one_day = PolicyItem("", retry.ORDINARY, days=1, per_day=3)
    assert after(one_day, now=late) == (NumberState.COMPLETED, None)
    assert after(one_day, now=NOON)[0] is NumberState.RETRY


def test_day_bounds_follow_the_zone():
    assert days.day_bounds(NOON, UTC_ZONE) == (datetime(2026, 12, 1), datetime(2026, 12, 2))
    assert days.day_bounds(NOON, SHANGHAI) == (
        datetime(2026, 11, 30, 16, 0),
        datetime(2026, 12, 1, 16, 0),
    )
    assert days.local_date(datetime(2026, 12, 1, 16, 0), SHANGHAI).day == 2


# --- business results ---

BUSI = (
    BusiRule("SALE", "paid", retry.STOP, None),
    BusiRule("SALE", "later", retry.CALL_AGAIN, 120),
    BusiRule("CALLBACK", None, retry.CALL_NEXT_NUMBER, 60),
    BusiRule("CALLBACK", "urgent", retry.CALL_AGAIN, 5),
)


def test_sub_status_must_be_listed_for_its_result_when_any_is():
    assert retry.sub_status_allowed(BUSI, "SALE", "paid")
    assert retry.sub_status_allowed(BUSI, "SALE", None)
    assert not retry.sub_status_allowed(BUSI, "SALE", "unknown")
    assert not retry.sub_status_allowed(BUSI, "CALLBACK", "paid")
    assert retry.sub_status_allowed(BUSI, "OTHER", "anything")  # no sub-codes listed
    assert retry.sub_status_allowed((), "SALE", "x")


def test_busi_rule_prefers_the_sub_status_then_the_bare_result():
    assert retry.busi_rule_for(BUSI, "SALE", "later") == BUSI[1]
    assert retry.busi_rule_for(BUSI, "SALE", None) is None
    assert retry.busi_rule_for(BUSI, "CALLBACK", "urgent") == BUSI[3]
    assert retry.busi_rule_for(BUSI, "CALLBACK", "other") == BUSI[2]
    assert retry.busi_rule_for(BUSI, "CALLBACK", None) == BUSI[2]
    assert retry.busi_rule_for(BUSI, "NONE", None) is None


def test_recall_due_for_call_again_and_next_number_only():
    assert retry.recall_due(BUSI[1], NOON) == NOON + timedelta(seconds=120)
    assert retry.recall_due(BUSI[2], NOON) == NOON + timedelta(seconds=60)
    assert retry.recall_due(BUSI[0], NOON) is None
    assert retry.recall_due(None, NOON) is None
