"""Notification campaigns (deviceType 3) through the SIP driver against SIPp's RTP echo (a
simulated callee): the prompt is played whole, talk time is the prompt's length, a bad
prompt keeps its campaign's numbers unclaimed, and the detail reaches every surface."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import add_numbers, create_campaign, rows
from tests.live import clean_env, isales
from tests.support.sipp import (
    Sipp,
    notification_campaign,
    start_sip_dialer,
    wait_until,
    write_prompt,
)

pytestmark = pytest.mark.usefixtures("backend")

PROMPT_SECONDS = 3.0
CALL_LINE = re.compile(
    r"call (\S+) to (\d+): SIP 200 .* talk (\d+) ms, prompt (\d+) ms, audio back (\d+) ms"
)


def test_the_prompt_is_played_whole_and_bad_prompts_are_refused(make_server, tmp_path):
    server = make_server(callback_allow_private=True)
    carrier = Sipp("carrier_bynumber.xml", tmp_path)
    with server.client() as admin:
        played = notification_campaign(
            admin, tmp_path, PROMPT_SECONDS, callBackUrl="http://127.0.0.1:9/results"
        )
        add_numbers(admin, played, [{"called": f"2001{n:04d}"} for n in range(5)])
        detected = notification_campaign(admin, tmp_path, 1.0, ivrParam={"amd": True})
        add_numbers(admin, detected, [{"called": f"2002{n:04d}"} for n in range(2)])
        stereo = notification_campaign(admin, tmp_path)
        write_prompt(tmp_path / f"{stereo}.wav", 1.0, channels=2)  # not mono: refused
        add_numbers(admin, stereo, [{"called": f"2003{n:04d}"} for n in range(3)])
        missing = notification_campaign(admin, tmp_path)
        (tmp_path / f"{missing}.wav").unlink()  # no prompt at all: refused
        add_numbers(admin, missing, [{"called": f"2004{n:04d}"} for n in range(3)])
        agents = create_campaign(admin, init_status=0, deviceType=2, maxAlertingTime=5)
        add_numbers(admin, agents, [{"called": f"2005{n:04d}"} for n in range(3)])
    dialer = start_sip_dialer(server, tmp_path, carrier.trunk, "--concurrency", "10")

    def reported() -> int:
        return len(rows(server.services, "call_results"))

    try:
        wait_until(lambda: reported() == 7, 60, "7 results")
    finally:
        assert dialer.stop() == 0, dialer.log.read_text()
    carrier.stop()
    log = dialer.log.read_text()

    results = {r["call_id"]: r for r in rows(server.services, "call_results", campaign_id=played)}
    assert len(results) == 5
    calls = {m.group(1): m for m in CALL_LINE.finditer(log)}
    for call_id, result in results.items():
        assert (result["call_status"], result["fail_code"]) == ("6", "00000")
        talk_ms = result["telephony"]["talkMs"]
        assert abs(talk_ms - PROMPT_SECONDS * 1000) <= 500, talk_ms
        assert "amd" not in result["telephony"]
        # the echo returned at least 95 % of the prompt to us
        line = calls[call_id]
        assert int(line.group(5)) >= 0.95 * PROMPT_SECONDS * 1000, line.group(0)

    for result in rows(server.services, "call_results", campaign_id=detected):
        assert result["telephony"]["amd"] in ("human", "machine", "notsure")

    for refused, reason in (
        (stereo, "mono"),
        (missing, "no such file"),
        (agents, "compliance message"),
    ):
        lines = [line for line in log.splitlines() if f"campaign {refused} refused" in line]
        assert len(lines) == 1 and reason in lines[0], lines
        numbers = rows(server.services, "numbers", campaign_id=refused)
        assert [(n["state"], n["attempts"]) for n in numbers] == [("pending", 0)] * 3

    # the detail on every surface: result-detail query, result query (export), callback
    call_id, result = next(iter(results.items()))
    expected = {k: result["telephony"][k] for k in ("sipCode", "q850Cause", "ringMs", "talkMs")}
    assert expected["sipCode"] == 200 and expected["q850Cause"] is None
    with server.client() as admin:
        detail = admin.get(
            f"/rest/isales/v1/openapi/campaigns/12/callresultdetail/{call_id}"
        ).json()["data"]
        assert {k: detail[k] for k in expected} == expected
        listed = admin.post(
            f"/rest/isales/v1/openapi/campaigns/12/callresult/{played}", json={}
        ).json()["data"]
        assert {k: listed[0][k] for k in expected} == next(
            {k: r["telephony"][k] for k in expected}
            for r in results.values()
            if r["call_id"] == listed[0]["callId"]
        )
    pushed = [
        p
        for row in rows(server.services, "callback_outbox", campaign_id=played)
        for p in row["payload"]
    ]
    assert len(pushed) == 5 and all(p["sipCode"] == 200 and p["talkMs"] > 0 for p in pushed)

    key = server.services.access.create_key([12])
    today = datetime.now(UTC).date()
    exported = isales(
        "results",
        "export",
        "--vdn",
        "12",
        "--campaign",
        str(played),
        "--begin",
        (today - timedelta(days=1)).isoformat(),
        "--end",
        (today + timedelta(days=1)).isoformat(),
        cwd=tmp_path,
        env=clean_env(
            ISALES_SERVER=server.base_url,
            ISALES_ACCESS_KEY=key.access_key,
            ISALES_SECRET_KEY=key.secret_key,
        ),
    )
    assert exported.returncode == 0, exported.stderr
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert len(table) == 5
    for line in table:
        stored = next(r for r in results.values() if r["call_id"] == line["callId"])
        assert line["sipCode"] == "200" and line["q850Cause"] == ""
        assert line["talkMs"] == str(stored["telephony"]["talkMs"])
