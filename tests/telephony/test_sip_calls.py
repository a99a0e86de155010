"""`isales dialer --driver sip` against SIPp's by-number carrier (a simulated trunk): every
scripted outcome 5 times, reported as the outcome table says, CANCEL on time, every
final response acknowledged."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.helpers import add_numbers, rows
from tests.support.sipp import (
    RING_LIMIT,
    Sipp,
    free_udp_port,
    notification_campaign,
    start_sip_dialer,
    wait_until,
)

pytestmark = pytest.mark.usefixtures("backend")


#: the carrier's rule (first three digits) -> (status, failCode, sipCode, q850Cause)
SCRIPTED = {
    "200": ("6", "00000", 200, None),  # answered
    "486": ("5", "00537", 486, 17),  # busy
    "404": ("5", "00538", 404, 1),  # empty number
    "480": ("5", "00548", 480, 20),  # 480 with cause 20: powered off
    "408": ("5", "00549", 408, None),  # out of service area
    "481": ("5", "00603", 480, None),  # 480 after ringing: no answer
    "603": ("5", "00604", 603, None),  # rejected
    "503": ("5", "00605", 503, None),  # switching equipment busy
    "999": ("5", "00603", 487, None),  # rings forever: our CANCEL at the ring limit
}


def test_every_scripted_outcome_is_reported_as_the_table_says(make_server, tmp_path):
    server = make_server()
    carrier = Sipp("carrier_bynumber.xml", tmp_path)
    with server.client() as admin:
        campaign_id = notification_campaign(admin, tmp_path)
        add_numbers(
            admin,
            campaign_id,
            [{"called": f"{rule}{n:05d}"} for rule in SCRIPTED for n in range(5)],
        )
    dialer = start_sip_dialer(server, tmp_path, carrier.trunk, "--concurrency", "20")
    try:
        wait_until(
            lambda: len(rows(server.services, "call_results", campaign_id=campaign_id)) == 45,
            90,
            "45 results",
        )
    finally:
        assert dialer.stop() == 0, dialer.log.read_text()
    stats = carrier.stop()

    results = rows(server.services, "call_results", campaign_id=campaign_id)
    seen = Counter()
    for result in results:
        status, fail_code, sip_code, cause = SCRIPTED[result["called"][:3]]
        assert (result["call_status"], result["fail_code"]) == (status, fail_code), result
        detail = result["telephony"]
        assert (detail["sipCode"], detail["q850Cause"]) == (sip_code, cause), result
        assert detail["ringMs"] >= 0 and detail["talkMs"] >= 0
        if status == "6":  # the 1 s prompt was played, then BYE
            assert 1000 <= detail["talkMs"] <= 1500, detail
        else:
            assert detail["talkMs"] == 0
        seen[result["called"][:3]] += 1
    assert seen == dict.fromkeys(SCRIPTED, 5)
    numbers = rows(server.services, "numbers", campaign_id=campaign_id)
    assert {n["state"] for n in numbers} == {"completed"}

    # CANCEL at the ring limit (SIPp's own clock: INVITE received -> CANCEL received)
    messages = carrier.message_log()
    invites = {m.call_id: m.at for m in reversed(messages) if m.first_line.startswith("INVITE")}
    cancels = {m.call_id: m.at for m in messages if m.first_line.startswith("CANCEL")}
    assert len(cancels) == 5
    for call_id, cancelled in cancels.items():
        delay = (cancelled - invites[call_id]).total_seconds()
        assert abs(delay - RING_LIMIT) <= 0.5, delay
        ring_ms = next(r["telephony"]["ringMs"] for r in results if r["call_id"] == call_id)
        assert abs(ring_ms - RING_LIMIT * 1000) <= 500
    # every final response was acknowledged: no SIPp retransmission, no failed call
    assert stats["Retransmissions(C)"] == "0", stats
    assert stats["FailedCall(C)"] == "0", stats
    assert stats["SuccessfulCall(C)"] == "45", stats
    assert carrier.error_lines() == []
    # the Contact's upper-case ";transport=UDP" did not stop the BYEs
    byes = [m for m in messages if m.first_line.startswith("BYE")]
    assert len(byes) == 5


def test_an_unreachable_trunk_is_a_failed_attempt_with_its_detail(make_server, tmp_path):
    server = make_server()
    with server.client() as admin:
        campaign_id = notification_campaign(admin, tmp_path)
        add_numbers(admin, campaign_id, [{"called": "20000001"}])
    silent = f"127.0.0.1:{free_udp_port()}"  # nothing listens there
    dialer = start_sip_dialer(server, tmp_path, silent)
    try:
        wait_until(
            lambda: len(rows(server.services, "call_results", campaign_id=campaign_id)) == 1,
            30,
            "the result",
        )
    finally:
        assert dialer.stop() == 0, dialer.log.read_text()
    [result] = rows(server.services, "call_results", campaign_id=campaign_id)
    assert (result["call_status"], result["fail_code"]) == ("5", "34606")
    detail = result["telephony"]
    assert detail["sipCode"] is None and detail["q850Cause"] is None and detail["talkMs"] == 0
    assert abs(detail["ringMs"] - RING_LIMIT * 1000) <= 500
