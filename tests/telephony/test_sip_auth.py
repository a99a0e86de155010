"""Digest authentication against SIPp challengers (simulated trunks): 401 and 407 answered;
a wrong password stops the dialer before it burns the list."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.helpers import add_numbers, rows
from tests.support.sipp import Sipp, notification_campaign, start_sip_dialer, wait_until

pytestmark = pytest.mark.usefixtures("backend")

USER, PASSWORD = "isales", "s3cret"  # what the challenger scenarios expect


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


@pytest.mark.parametrize("code", [401, 407])
def test_a_challenging_trunk_accepts_our_digest(make_server, tmp_path, code):
    server = make_server()
    carrier = Sipp(f"challenger_{code}.xml", tmp_path)
    with server.client() as admin:
        campaign_id = notification_campaign(admin, tmp_path)
        add_numbers(admin, campaign_id, [{"called": f"2000{n:04d}"} for n in range(4)])
    dialer = start_sip_dialer(
        server,
        tmp_path,
        carrier.trunk,
        "--concurrency",
        "4",
        SIP_USERNAME=USER,
        SIP_PASSWORD=PASSWORD,
    )
    try:
        wait_until(
            lambda: len(rows(server.services, "call_results", campaign_id=campaign_id)) == 4,
            60,
            "4 results",
        )
    finally:
        assert dialer.stop() == 0, dialer.log.read_text()
    stats = carrier.stop()
    results = rows(server.services, "call_results", campaign_id=campaign_id)
    assert [(r["call_status"], r["fail_code"]) for r in results] == [("6", "00000")] * 4
    assert stats["SuccessfulCall(C)"] == "4" and stats["FailedCall(C)"] == "0", stats
    assert stats["Retransmissions(C)"] == "0", stats
    assert carrier.error_lines() == []
    header = "Authorization" if code == 401 else "Proxy-Authorization"
    answered = [
        m
        for m in carrier.message_log()
        if m.first_line.startswith("INVITE") and f"\n{header}:" in m.text
    ]
    assert len(answered) == 4
    for invite in answered:
        # the digest is right (SIPp verified the 401 one itself; recomputed here for both)
        value = re.search(rf"^{header}: Digest (.*)$", invite.text, re.MULTILINE).group(1)
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', value))
        ha1 = _md5(f"{USER}:{fields['realm']}:{PASSWORD}")
        ha2 = _md5(f"INVITE:{fields['uri']}")
        expected = _md5(f"{ha1}:{fields['nonce']}:{ha2}")
        assert fields["username"] == USER and fields["response"] == expected
    assert PASSWORD not in dialer.log.read_text()


def test_a_wrong_password_stops_the_dialer_with_the_list_kept(make_server, tmp_path):
    server = make_server()
    carrier = Sipp("challenger_401.xml", tmp_path)
    with server.client() as admin:
        campaign_id = notification_campaign(admin, tmp_path)
        add_numbers(admin, campaign_id, [{"called": f"2000{n:04d}"} for n in range(20)])
    dialer = start_sip_dialer(
        server,
        tmp_path,
        carrier.trunk,
        "--concurrency",
        "10",
        SIP_USERNAME=USER,
        SIP_PASSWORD="not-the-password",
    )
    try:
        dialer.process.wait(60)
    finally:
        dialer.stop()
    carrier.stop()
    assert dialer.process.returncode == 3, dialer.log.read_text()
    results = rows(server.services, "call_results", campaign_id=campaign_id)
    assert 1 <= len(results) <= 5
    assert {(r["call_status"], r["fail_code"]) for r in results} == {("5", "34606")}
    assert all(r["telephony"]["sipCode"] == 403 for r in results)
    numbers = rows(server.services, "numbers", campaign_id=campaign_id)
    untouched = [n for n in numbers if n["attempts"] == 0]
    assert len(untouched) == 20 - len(results)
    assert {n["state"] for n in untouched} == {"pending"}
    log = dialer.log.read_text()
    refusals = [line for line in log.splitlines() if "refused our credentials" in line]
    # one line per refused call naming the trunk, and the final one-line reason
    assert len(refusals) == len(results) + 1
    assert all(carrier.trunk in line for line in refusals)
    assert "not-the-password" not in log
