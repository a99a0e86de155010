"""A campaign from creation to completion with the simulated dialer, on SQLite and
PostgreSQL.

The server runs on a clock the test moves, so windows, retry intervals and callback
retries happen in simulated time while the dialer places real (instant) simulated calls
over signed HTTP.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from isales.client import IsalesClient
from isales.dialer import Dialer, SimulatedDriver
from tests.support.api import (
    SUCCESS,
    MovableClock,
    add_numbers,
    campaign_body,
    campaigns_path,
    numbers,
    rows,
    utc_now,
)

pytestmark = pytest.mark.usefixtures("backend")

RETRIES = 2
INTERVAL = 60  # seconds between a no-answer and its retry


class Receiver:
    """A real HTTP receiver that refuses the first ``refuse`` pushes."""

    def __init__(self, refuse: int) -> None:
        self.refuse = refuse
        self.received: list[list[dict]] = []
        self.refused = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if receiver.refused < receiver.refuse:
                    receiver.refused += 1
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.received.append(body)
                payload = b'{"retCode":"0","retMsg":"success"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/results"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()


def drain(dialer: Dialer) -> int:
    """Start every call that may start now and wait until they have all reported."""
    started = dialer.step()
    deadline = time.monotonic() + 30
    while dialer.in_flight:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    return started


def test_campaign_runs_from_creation_to_completion(make_server):
    morning = utc_now().replace(hour=8, minute=0, second=0, microsecond=0)
    clock = MovableClock(morning)
    server = make_server(clock=clock, callback_allow_private=True)  # receiver on 127.0.0.1
    receiver = Receiver(refuse=3)
    admin = server.client()
    window = {
        "workdayBeginTime1": "09:00",
        "workdayEndTime1": "12:00",
        "holidayBeginTime1": "09:00",
        "holidayEndTime1": "12:00",
    }
    policy = {
        "policyType": 0,
        "policyJson": json.dumps(
            [
                {
                    "type": 1,
                    "policy": [
                        {"result": "00603", "retryNumber": RETRIES, "callInterval": INTERVAL}
                    ],
                }
            ]
        ),
    }
    body = campaign_body(
        version=2,
        initStatus=0,
        scheduleParam=window,
        retryPolicy=policy,
        callBackUrl=receiver.url,
        strEndTime=(morning + timedelta(hours=6)).strftime("%Y-%m-%d %H:%M:%S"),
    )
    answer = admin.post(campaigns_path(version=2), json=body).json()
    assert answer["resultCode"] == SUCCESS, answer
    campaign_id = answer["returnObject"]["id"]
    ids = add_numbers(admin, campaign_id, numbers(30))
    blocked = [f"1380000{n:04d}" for n in (3, 17)]
    added = admin.post(
        "/rest/isales/v1/openapi/campaigns/12/blocklist/add", json={"blocklist": blocked}
    ).json()
    assert added["resultCode"] == SUCCESS, added

    key = server.services.access.create_key([12])
    dialer = Dialer(
        lambda: IsalesClient(
            server.base_url, key.access_key, key.secret_key, now=lambda: clock().replace(tzinfo=UTC)
        ),
        [12],
        SimulatedDriver(
            {"00000": 1, "00603": 2}, ring_seconds=(1, 1), talk_seconds=(1, 1), time_scale=0, seed=3
        ),
        concurrency=8,
        calls_per_second=1000,
    )

    # 08:00: outside the window, nothing is dialled
    assert drain(dialer) == 0
    # 09:00 onwards: dial, and let simulated minutes pass for the retries
    clock.advance(3600)
    for _ in range(40):
        drain(dialer)
        clock.advance(INTERVAL + 1)
    assert clock().strftime("%H:%M") < "12:00"  # all of it inside the morning window

    numbers_now = {
        str(r["id"]): r for r in rows(server.services, "numbers", campaign_id=campaign_id)
    }
    results = rows(server.services, "call_results", campaign_id=campaign_id)
    by_number: dict[str, list[dict]] = {}
    for result in sorted(results, key=lambda r: r["id"]):
        by_number.setdefault(str(result["data_id"]), []).append(result)

    # blacklisted numbers are never dialled; every other number completed
    blocked_ids = {i for i in ids if numbers_now[i]["called"] in blocked}
    assert len(blocked_ids) == 2 and not blocked_ids & set(by_number)
    assert {numbers_now[i]["state"] for i in blocked_ids} == {"pending"}
    assert {numbers_now[i]["state"] for i in set(ids) - blocked_ids} == {"completed"}

    # retried per policy: a no-answer is tried again after the interval, at most RETRIES times
    retried = 0
    for attempts in by_number.values():
        codes = [a["fail_code"] for a in attempts]
        assert len(attempts) <= RETRIES + 1
        assert all(code == "00603" for code in codes[:-1])
        if codes[-1] == "00603":
            assert len(attempts) == RETRIES + 1
        for earlier, later in zip(attempts, attempts[1:], strict=False):
            assert later["reported_at"] - earlier["reported_at"] >= timedelta(seconds=INTERVAL)
        retried += len(attempts) > 1
        assert [a["final"] for a in attempts] == [0] * (len(attempts) - 1) + [1]
    assert retried > 0

    # results are queryable: one final result per number, every attempt with showDetail
    path = f"/rest/isales/v1/openapi/campaigns/12/callresult/{campaign_id}"
    final = admin.post(path, json={"showDetail": 0}).json()
    detail = admin.post(path, json={"showDetail": 1, "pageSize": 100, "pageNum": 1}).json()
    assert final["totalCount"] == 28 and detail["totalCount"] == len(results)
    one = admin.get(
        f"/rest/isales/v1/openapi/campaigns/12/callresultdetail/{results[0]['call_id']}"
    )
    assert one.json()["data"]["callId"] == results[0]["call_id"]

    # statistics add up to the outcomes
    stats = admin.get(
        "/rest/isales/v2/openapi/campaigns/12/statistics", params={"campaignId": campaign_id}
    ).json()
    [counts] = stats["countDetail"]
    connected = sum(1 for a in by_number.values() if a[-1]["call_status"] == "6")
    assert counts["totalCount"] == 30 and counts["unCallCount"] == 2
    assert counts["totalFinishCount"] == 28 == counts["finishCount"]
    assert counts["totalCalledCount"] == 28 and counts["totalCallSucc"] == connected
    assert counts["dailyCalledCount"] == len(results)
    assert counts["dailyCallSucc"] == connected and counts["dailyFinishCount"] == 28

    # every final result reaches the receiver, which refused the first pushes; the server's
    # own background dispatch may hold the receiver's lane, so keep going (bounded) until
    # every result has arrived
    expected = len(by_number)
    for _ in range(200):
        server.services.callbacks.deliver_due()
        clock.advance(601)
        if sum(len(push) for push in receiver.received) >= expected:
            break
        time.sleep(0.05)
    pushed = [item for push in receiver.received for item in push]
    assert receiver.refused == 3
    assert sorted(p["callId"] for p in pushed) == sorted(
        a[-1]["call_id"] for a in by_number.values()
    )
    assert {p["campaignId"] for p in pushed} == {str(campaign_id)}

    # the campaign ends with its end time: status 4, nothing more to dial
    clock.advance(6 * 3600)
    detail = admin.get(f"{campaigns_path()}/{campaign_id}").json()
    assert detail["returnObject"]["status"] == 4
    assert dialer._tasks(12) == []
    receiver.close()
    admin.close()
