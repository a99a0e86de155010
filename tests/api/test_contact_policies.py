"""Contact policies end to end: the worked examples of the presets, each on both stores,
with a pinned clock (docs/contact-policies.md, "Worked examples"), and the explanation
of example 1."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.support.api import MovableClock
from tests.support.contacts import Scenario

START = datetime(2027, 3, 1, 8, 0, 0)  # a Monday


@pytest.fixture
def scenario(make_server):
    clock = MovableClock(START)
    server = make_server(clock=clock, lease_seconds=600)
    opened = Scenario(server, clock, vdn=12)
    yield opened
    opened.close()


def test_regf_seven_in_seven_days_across_campaigns_and_numbers(scenario):
    s = scenario
    s.add_policy(preset="us-regf")
    c46 = s.campaign("collection", "progressive")
    c47 = s.campaign("collection", "predictive")
    a, b = "3055550100", "3055550111"
    keys = {"personId": "P-1001", "subjectId": "D-1"}
    s.attempt(c46, a, "2027-03-01 09:00:00", "2027-03-01 09:00:40", "00603", **keys)
    s.attempt(c47, b, "2027-03-01 13:00:00", "2027-03-01 13:00:05", "00537", **keys)
    days = [
        ("02", "00603", c46, b),
        ("03", "00548", c47, a),
        ("04", "00603", c46, b),
        ("05", "00604", c47, a),
        ("06", "00603", c46, b),
        ("07", "00603", c47, a),
    ]
    for day, code, campaign, called in days:
        s.attempt(
            campaign, called, f"2027-03-{day} 09:00:00", f"2027-03-{day} 09:00:40", code, **keys
        )
    # seven connected in seven days (the busy one is not connected): refused
    assert not s.allowed("2027-03-07 10:00:00", a, "collection", "progressive", **keys)
    assert not s.allowed("2027-03-07 10:00:00", b, "collection", "predictive", **keys)
    # a record of that person without a subject may be about D-1: refused
    assert not s.allowed("2027-03-07 10:00:00", a, "collection", "progressive", personId="P-1001")
    # another subject of the same person: allowed
    assert s.allowed(
        "2027-03-07 10:00:00", a, "collection", "progressive", personId="P-1001", subjectId="D-2"
    )
    # the window rolls from the end of the oldest counted call (Mon 09:00:40)
    assert not s.allowed("2027-03-08 09:00:39", a, "collection", "progressive", **keys)
    assert s.allowed("2027-03-08 09:00:40", b, "collection", "progressive", **keys)


def test_regf_explain_counts_the_seven_and_each_attempt_is_consistent(scenario):
    s = scenario
    s.add_policy(preset="us-regf")
    c46 = s.campaign("collection", "progressive")
    keys = {"personId": "P-1001", "subjectId": "D-1"}
    s.attempt(c46, "3055550100", "2027-03-01 09:00:00", "2027-03-01 09:00:40", "00603", **keys)
    s.attempt(c46, "3055550111", "2027-03-01 13:00:00", "2027-03-01 13:00:05", "00537", **keys)
    for day, code in [
        ("02", "00603"),
        ("03", "00548"),
        ("04", "00603"),
        ("05", "00604"),
        ("06", "00603"),
        ("07", "00603"),
    ]:
        s.attempt(
            c46, "3055550100", f"2027-03-{day} 09:00:00", f"2027-03-{day} 09:00:40", code, **keys
        )
    s.at("2027-03-08 12:00:00")
    answer = s.explain(campaignId=c46, called="3055550100", at="2027-03-07 10:00:00", **keys)
    assert answer["verdict"] == "refused"
    assert answer["nextAllowedAt"] == "2027-03-08 09:00:40.000"
    assert answer["number"]["numberKey"] == "+13055550100"
    assert answer["number"]["jurisdictions"] == ["US", "US-FL"]
    cap = next(c for c in answer["checks"] if c["check"] == "rule" and c["kind"] == "cap")
    assert (cap["result"], cap["counted"], cap["limit"]) == ("fail", 7, 7)
    assert len(set(cap["attemptIds"])) == 7
    busy = [a for a in answer["attempts"] if a["failCode"] == "00537"]
    assert len(busy) == 1 and busy[0]["attemptId"] not in cap["attemptIds"]
    cooldown = next(c for c in answer["checks"] if c.get("kind") == "cooldown")
    assert (cooldown["result"], cooldown["counted"]) == ("pass", 0)
    for attempt_id in cap["attemptIds"] + [busy[0]["attemptId"]]:
        judged = s.explain(attemptId=attempt_id)
        assert judged["consistent"] is True, judged
        assert judged["attempt"]["attemptId"] == attempt_id


def test_regf_conversation_cools_down_both_numbers_for_seven_days(scenario):
    s = scenario
    s.add_policy(preset="us-regf")
    c46 = s.campaign("collection", "progressive")
    keys = {"personId": "P-1001", "subjectId": "D-1"}
    s.attempt(c46, "3055550100", "2027-03-01 09:58:00", "2027-03-01 10:05:00", "00000", **keys)
    for called in ("3055550100", "3055550111"):
        assert not s.allowed("2027-03-02 10:00:00", called, "collection", "predictive", **keys)
    assert not s.allowed("2027-03-08 10:04:59", "3055550111", "collection", "predictive", **keys)
    assert s.allowed("2027-03-08 10:05:00", "3055550111", "collection", "predictive", **keys)
    # an inbound conversation (imported) starts the cooldown and does not count toward 7
    s.ledger_row(
        called="3055550199",
        number_key="+13055550199",
        person_id="P-1001",
        subject_ids="D-1",
        direction="inbound",
        classes="placed,connected,conversation",
        placed="2027-03-10 14:00:00",
    )
    assert not s.allowed("2027-03-17 13:59:59", "3055550100", "collection", "predictive", **keys)
    assert s.allowed("2027-03-17 14:00:00", "3055550100", "collection", "predictive", **keys)


@pytest.mark.parametrize(
    ("preset", "called", "region", "limited"),
    [
        ("us-fl-ftsa", "3055550122", None, True),  # 305: US-FL
        ("us-fl-ftsa", "2125550100", None, False),  # New York
        ("us-fl-ftsa", "2125550100", "US-FL", True),  # the record says Florida
        ("us-fl-ftsa", "8885550100", None, True),  # toll-free: every state is a candidate
        ("us-ok-otsa", "4055550100", None, True),  # 405: US-OK
    ],
)
def test_state_telemarketing_three_per_day_per_subject(scenario, preset, called, region, limited):
    s = scenario
    s.add_policy(preset=preset)
    c50 = s.campaign("telemarketing", "predictive")
    c51 = s.campaign("telemarketing", "progressive")
    keys = {"personId": "P-2001", "subjectId": "S-solar", "region": region}
    s.attempt(c50, called, "2027-03-01 11:00:00", "2027-03-01 11:01:00", "00603", **keys)
    s.attempt(c51, called, "2027-03-01 13:00:00", "2027-03-01 13:00:30", "00537", **keys)
    s.attempt(c50, called, "2027-03-01 15:00:00", "2027-03-01 15:02:00", "00000", **keys)
    other = {**keys, "subjectId": "S-roofing"}
    assert s.allowed("2027-03-01 16:00:00", called, "telemarketing", "predictive", **other)
    assert (
        s.allowed("2027-03-02 11:00:59", called, "telemarketing", "predictive", **keys)
        is not limited
    )
    if limited:
        assert s.allowed("2027-03-02 11:01:00", called, "telemarketing", "predictive", **keys)


def test_maryland_counts_an_imported_text(scenario):
    s = scenario
    s.add_policy(preset="us-md-ssca")
    c = s.campaign("telemarketing", "predictive")
    keys = {"personId": "P-3001", "subjectId": "S-ins"}
    s.attempt(c, "4105550100", "2027-03-01 09:00:00", "2027-03-01 09:00:30", "00603", **keys)
    s.ledger_row(
        called="4105550100",
        number_key="+14105550100",
        person_id="P-3001",
        subject_ids="S-ins",
        channel="sms",
        classes="placed,connected",
        placed="2027-03-01 12:00:00",
    )
    s.attempt(c, "4105550100", "2027-03-01 15:00:00", "2027-03-01 15:00:20", "00603", **keys)
    assert not s.allowed("2027-03-01 18:00:00", "4105550100", "telemarketing", "predictive", **keys)
    assert not s.allowed("2027-03-02 09:00:29", "4105550100", "telemarketing", "predictive", **keys)
    assert s.allowed("2027-03-02 09:00:30", "4105550100", "telemarketing", "predictive", **keys)


def test_massachusetts_two_connected_per_week_per_debt(scenario):
    s = scenario
    s.add_policy(preset="us-ma-debt")
    c = s.campaign("collection", "progressive")
    keys = {"personId": "P-4001", "subjectId": "D-9"}
    n = "6175550100"
    s.attempt(c, n, "2027-03-01 09:00:00", "2027-03-01 09:00:40", "00603", **keys)
    s.attempt(c, n, "2027-03-01 12:00:00", "2027-03-01 12:00:05", "00537", **keys)
    s.attempt(c, n, "2027-03-03 09:00:00", "2027-03-03 09:02:00", "00000", **keys)
    assert not s.allowed("2027-03-04 09:00:00", n, "collection", "progressive", **keys)
    assert not s.allowed("2027-03-08 09:00:39", n, "collection", "progressive", **keys)
    assert s.allowed("2027-03-08 09:00:40", n, "collection", "progressive", **keys)


def test_tcpa_three_exempt_prerecorded_calls_per_line_in_thirty_days(scenario):
    s = scenario
    s.add_policy(preset="us-tcpa-exempt-prerecorded")
    c60 = s.campaign("informational", "prerecorded")
    n = "3125550100"
    for day in ("01", "10", "20"):
        s.attempt(c60, n, f"2027-03-{day} 10:00:00", f"2027-03-{day} 10:00:30", "00000")
    s.at("2027-03-25 10:00:00")
    s.add(c60, n)
    assert s.claim(c60) == []
    assert not s.allowed("2027-03-25 10:00:00", n, "informational", "prerecorded")
    assert s.allowed("2027-03-25 10:00:00", n, "informational", "progressive")
    assert not s.allowed("2027-03-31 10:00:29", n, "collection", "prerecorded")
    assert s.allowed("2027-03-31 10:00:30", n, "other", "prerecorded")


def test_ofcom_no_repeat_within_72_hours_of_an_abandoned_call(scenario):
    s = scenario
    s.add_policy(preset="uk-ofcom-abandoned")
    c70 = s.campaign("telemarketing", "predictive")
    n = "442079460000"
    s.attempt(c70, n, "2027-03-01 10:00:00", "2027-03-01 10:00:03", "01046")
    assert not s.allowed("2027-03-01 10:00:04", n, "telemarketing", "predictive")
    assert s.allowed("2027-03-01 10:00:04", n, "telemarketing", "progressive")
    assert s.allowed("2027-03-01 10:20:00", n, "telemarketing", "preview")
    assert not s.allowed("2027-03-04 10:00:02", n, "telemarketing", "predictive")
    assert s.allowed("2027-03-04 10:00:03", n, "telemarketing", "predictive")
