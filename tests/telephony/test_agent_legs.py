"""Agent legs, bridging and the compliance message in the SIP driver alone (no server):
docs/telephony.md#agents-progressive-preview-and-predictive-campaigns.

Kamailio is the agents' registrar, each agent a baresip phone registered there (speaking
a 600 Hz tone, recording what it hears); SIPp is the carrier, every callee answering and
echoing what it hears (``carrier_talk.xml``: 3 s of talk, then the callee hangs up). So
what reaches an agent from a customer is the customer's side of the call.
"""

from __future__ import annotations

import re

from tests.support.phones import VOICE_HZ, Harness, Kamailio, Phone, tone_ms
from tests.support.sipp import Sipp, write_prompt

COMPLIANCE_SECONDS = 1.0
BRIDGED = re.compile(
    r"call (\S+) bridged to agent (\d+) (\d+) ms after the answer, (\d+) ms of its audio"
)
COMPLIANCE = re.compile(r"call (\S+): no agent free, compliance message started (\d+) ms")
AUDIO_BACK = re.compile(r"call (\S+) to \d+: .* audio back (\d+) ms")


def test_a_leg_stays_up_across_bridged_calls_and_compliance_is_played(tmp_path):
    registrar = Kamailio(tmp_path)
    carrier = phone = None
    try:
        phone = Phone(registrar, "1001", tmp_path)
        phone.wait_registered(registrar)
        assert "registered sip:1001@127.0.0.1" in registrar.log.read_text()
        carrier = Sipp("carrier_talk.xml", tmp_path)
        write_prompt(tmp_path / "compliance.wav", COMPLIANCE_SECONDS)
        harness = Harness(
            tmp_path,
            {
                "trunk": carrier.trunk,
                "legs": {"1001": phone.sip_uri},
                "calls": [
                    {"number": "2000001", "workNo": "1001"},  # progressive: reserved agent
                    {"number": "2000002", "take": ["1001"]},  # predictive: an agent is free
                    {"number": "2000003", "workNo": "1001"},
                    {"number": "2000004", "take": []},  # predictive: nobody free
                ],
            },
        )
        results, log = harness.wait()
    finally:
        if carrier is not None:
            carrier.stop()
        if phone is not None:
            phone.stop()
        registrar.stop()

    assert results["legs"] == {"1001": True}
    assert results["up"] == ["1001"] and results["dropped"] == []
    calls = {call["number"]: call for call in results["calls"]}
    back = {m.group(1): int(m.group(2)) for m in AUDIO_BACK.finditer(log)}
    bridged = {m.group(1): m for m in BRIDGED.finditer(log)}
    sent_by_customers = 0
    for number in ("2000001", "2000002", "2000003"):
        call = calls[number]
        assert (call["status"], call["fail_code"], call["work_no"]) == ("6", "00000", "1001")
        line = bridged[call["call_id"]]
        assert int(line.group(3)) <= 200, line.group(0)  # bridged within 200 ms of the 200 OK
        sent_by_customers += back[call["call_id"]]
        assert back[call["call_id"]] >= 2500  # the customer talked (echoed the agent) ~3 s

    # one recording: the agent's phone had one call (the nailed-up leg) for all customers,
    # and it heard at least 90 % of the audio the customers sent
    recordings = phone.heard()
    assert len(recordings) == 1, recordings
    assert tone_ms(recordings[0], VOICE_HZ) >= 0.9 * sent_by_customers

    abandoned = calls["2000004"]
    assert (abandoned["status"], abandoned["fail_code"]) == ("5", "01046")
    assert abandoned["answered"] and abandoned["work_no"] is None
    started = next(m for m in COMPLIANCE.finditer(log) if m.group(1) == abandoned["call_id"])
    assert int(started.group(2)) <= 1200, started.group(0)
    # the customer heard the whole message (SIPp echoed it back), then our BYE
    assert back[abandoned["call_id"]] >= 0.95 * COMPLIANCE_SECONDS * 1000
    assert abandoned["detail"]["talkMs"] >= COMPLIANCE_SECONDS * 1000


def test_dropped_and_unanswered_legs_get_no_calls(tmp_path):
    registrar = Kamailio(tmp_path)
    carrier = None
    phones: list[Phone] = []
    try:
        phones = [Phone(registrar, work_no, tmp_path) for work_no in ("1001", "1002", "1003")]
        for phone in phones:
            phone.wait_registered(registrar)
        hangs_up, goes_silent, never_answers = phones
        never_answers.pause()  # registered, but its phone answers nothing
        carrier = Sipp("carrier_talk.xml", tmp_path)
        write_prompt(tmp_path / "compliance.wav", COMPLIANCE_SECONDS)
        harness = Harness(
            tmp_path,
            {
                "trunk": carrier.trunk,
                "legs": {
                    "1001": hangs_up.sip_uri,
                    "1002": goes_silent.sip_uri,
                    "1003": never_answers.sip_uri,
                    "1009": registrar.uri("1009"),  # not registered: 404
                },
                "agentRingSeconds": 3,
                "agentRtpTimeout": 2,
                "waitBeforeCalls": 8,
                "calls": [
                    {"number": "2000001", "workNo": "1001"},
                    {"number": "2000002", "workNo": "1002"},
                ],
            },
        )
        harness.wait_for_line("agent 1002: leg up")
        harness.wait_for_line("agent 1001: leg up")
        hangs_up.stop()  # baresip ends its calls (BYE) when it quits
        goes_silent.pause()  # its RTP stops: the leg times out
        results, log = harness.wait()
    finally:
        if carrier is not None:
            carrier.stop()
        for phone in phones:
            phone.stop()
        registrar.stop()

    assert results["legs"] == {"1001": True, "1002": True, "1003": False, "1009": False}
    assert sorted(results["dropped"]) == ["1001", "1002"]
    assert results["up"] == []
    assert "agent 1002: no RTP for 2" in log
    for call in results["calls"]:  # the reserved agent's leg was gone: no agent free
        assert (call["status"], call["fail_code"]) == ("5", "01046"), call
        assert not any(m.group(1) == call["call_id"] for m in BRIDGED.finditer(log))
