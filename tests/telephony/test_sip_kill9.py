"""`kill -9` of the SIP dialer with 20 calls up (against SIPp, a simulated carrier): every
number comes back when its lease lapses, is dialled again, and is reported exactly once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.helpers import add_numbers, rows
from tests.support.sipp import Sipp, notification_campaign, start_sip_dialer, wait_until

pytestmark = pytest.mark.usefixtures("backend")

LEASE_SECONDS = 10  # longer than one call (a 6 s prompt), short for the test
CALLS = 20


def test_a_killed_sip_dialer_loses_no_number_and_reports_none_twice(make_server, tmp_path):
    server = make_server(lease_seconds=LEASE_SECONDS)
    carrier = Sipp("carrier_bynumber.xml", tmp_path)
    with server.client() as admin:
        campaign_id = notification_campaign(admin, tmp_path, prompt_seconds=6.0)
        add_numbers(admin, campaign_id, [{"called": f"2005{n:04d}"} for n in range(CALLS)])

    def numbers() -> list[dict]:
        return rows(server.services, "numbers", campaign_id=campaign_id)

    first = start_sip_dialer(server, tmp_path, carrier.trunk, "--concurrency", str(CALLS))
    try:
        wait_until(lambda: sum(n["state"] == "calling" for n in numbers()) == CALLS, 30)
        time.sleep(1.5)  # answered: the prompts are playing
        assert first.process.poll() is None, first.log.read_text()
    finally:
        first.kill()
    assert rows(server.services, "call_results", campaign_id=campaign_id) == []
    claimed_by_first = {n["lease_owner"] for n in numbers()}

    second = start_sip_dialer(server, tmp_path, carrier.trunk, "--concurrency", str(CALLS))
    try:
        wait_until(
            lambda: {n["state"] for n in numbers()} == {"completed"},
            LEASE_SECONDS + 40,
            "every number completed",
        )
    finally:
        assert second.stop() == 0, second.log.read_text()
    carrier.stop()
    results = rows(server.services, "call_results", campaign_id=campaign_id)
    assert Counter(r["data_id"] for r in results) == {n["id"]: 1 for n in numbers()}
    assert {(r["call_status"], r["fail_code"]) for r in results} == {("6", "00000")}
    assert all(n["attempts"] == 1 and n["lease_owner"] is None for n in numbers())
    assert len(claimed_by_first) == 1  # all 20 were up under the first dialer's claim
