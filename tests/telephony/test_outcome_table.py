"""The SIP/Q.850 -> failCode table, row by row (isales.dialer.sip.outcomes; pure)."""

from __future__ import annotations

import pytest

from isales.dialer.sip.outcomes import Outcome, Seen, classify, q850_cause

ROWS = [
    # what the driver saw -> (status, failCode reference, failCode detailed)
    ("200 OK", Seen(sip_code=200), "6", "00000", "00000"),
    ("486", Seen(sip_code=486), "5", "00537", "00145"),
    ("600", Seen(sip_code=600), "5", "00537", "00145"),
    ("cause 17 on a 480", Seen(sip_code=480, q850_cause=17), "5", "00537", "00145"),
    ("404", Seen(sip_code=404), "5", "00538", "00129"),
    ("604", Seen(sip_code=604), "5", "00538", "00129"),
    ("410", Seen(sip_code=410), "5", "00538", "00129"),
    ("484", Seen(sip_code=484), "5", "00538", "00129"),
    ("cause 1", Seen(sip_code=404, q850_cause=1), "5", "00538", "00129"),
    ("cause 22", Seen(sip_code=410, q850_cause=22), "5", "00538", "00150"),
    ("cause 28", Seen(sip_code=484, q850_cause=28), "5", "00538", "00156"),
    ("480 with cause 20", Seen(sip_code=480, q850_cause=20, ringing=True), "5", "00548", "00548"),
    ("480 before any 18x", Seen(sip_code=480), "5", "00548", "00548"),
    ("408 from the far end", Seen(sip_code=408, ringing=True), "5", "00549", "00146"),
    ("cause 18", Seen(sip_code=480, q850_cause=18), "5", "00549", "00146"),
    ("480 with cause 19", Seen(sip_code=480, q850_cause=19), "5", "00603", "00147"),
    ("480 after 180/183", Seen(sip_code=480, ringing=True), "5", "00603", "00147"),
    (
        "our ring limit, 487",
        Seen(sip_code=487, ringing=True, ring_limit=True),
        "5",
        "00603",
        "00603",
    ),
    ("our ring limit, no final yet", Seen(ring_limit=True), "5", "00603", "00603"),
    ("603", Seen(sip_code=603), "5", "00604", "00149"),
    ("403 with cause 21", Seen(sip_code=403, q850_cause=21), "5", "00604", "00149"),
    ("500", Seen(sip_code=500), "5", "00605", "00605"),
    ("502", Seen(sip_code=502), "5", "00605", "00605"),
    ("503", Seen(sip_code=503), "5", "00605", "00605"),
    ("504", Seen(sip_code=504), "5", "00605", "00605"),
    *(
        (f"cause {c}", Seen(sip_code=500, q850_cause=c), "5", "00605", "00605")
        for c in (34, 38, 41, 42, 47, 102)
    ),
    ("timer B: no response", Seen(timed_out=True), "5", "34606", "34606"),
    ("nothing heard by the ring limit", Seen(timed_out=True), "5", "34606", "34606"),
    ("an unknown final (488)", Seen(sip_code=488), "5", "34606", "34606"),
    ("an unknown cause leaves the code", Seen(sip_code=486, q850_cause=99), "5", "00537", "00145"),
]


@pytest.mark.parametrize(
    ("saw", "status", "reference", "detailed"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_each_row_of_the_table(saw, status, reference, detailed):
    assert classify(saw) == Outcome(status, reference)
    assert classify(saw, "detailed") == Outcome(status, detailed)


@pytest.mark.parametrize(
    "saw",
    [Seen(sip_code=401), Seen(sip_code=407), Seen(sip_code=403), Seen(sip_code=403, q850_cause=17)],
    ids=["401 again", "407 again", "403 without cause", "403 with another cause"],
)
def test_refused_credentials_are_a_configuration_error(saw):
    assert classify(saw) == Outcome("5", "34606", credentials_refused=True)
    assert classify(saw, "detailed").credentials_refused


@pytest.mark.parametrize(
    ("header", "cause"),
    [
        ('Q.850;cause=17;text="User busy"', 17),
        ("q.850 ; cause = 20", 20),
        ('SIP;cause=486;text="Busy", Q.850;cause=17', 17),
        ("SIP;cause=200", None),
        ("Q.850;text=busy", None),
        ("", None),
        (None, None),
    ],
)
def test_the_reason_header_gives_the_q850_cause(header, cause):
    assert q850_cause(header) == cause
