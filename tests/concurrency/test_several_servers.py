"""Several `isales serve` processes on one store, one of them killed -9 mid-run.

Four dialers (threads, each its own access key) claim and report through three servers
the way a load balancer without sticky sessions spreads requests: a claim on one server,
its report on the next. One server is killed with SIGKILL while they run; a dialer that
loses a connection leaves that server out and resends to the next (a claim is claimed
again, a report resent as is). Claims whose answer died with the server come back when
their lease runs out (docs/api.md, "Dialer-facing interfaces") and are dialled then.
The run ends when every number is completed; then the store must show that no number
was handed out twice, none was lost, and every accepted result is kept exactly once
(docs/operations.md, "Several servers").
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from isales.client import IsalesClient
from isales.config import Settings
from isales.services import Services
from tests.support.api import OBS, create_campaign, rows
from tests.support.processes import LiveServer, clean_env, start_serve
from tests.support.stores import fill_campaign

pytestmark = [pytest.mark.usefixtures("backend"), pytest.mark.concurrency]

SERVERS = 3
DIALERS = 4
NUMBERS = 160
LEASE_SECONDS = 10  # far longer than a report takes, even on a loaded machine


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    built = Services.build(Settings(db=db_url))
    yield built
    built.close()


class Dialer:
    """One dialer: its own key, a client per server, servers it lost left out."""

    def __init__(self, servers: list[LiveServer], key: tuple[str, str], index: int) -> None:
        self.urls = [s.url for s in servers]
        self.key, self.index = key, index
        self.clients: dict[str, IsalesClient] = {}
        self.dead: set[str] = set()
        self.handed: list[str] = []
        self.accepted: list[str] = []
        self.resent_stored: list[str] = []  # "2" to a report resent after a lost answer
        self.lost = 0

    def send(self, offset: int, path: str, body: dict) -> dict:
        while True:
            live = [url for url in self.urls if url not in self.dead]
            assert live, "every server is gone"
            url = live[offset % len(live)]
            client = self.clients.setdefault(url, IsalesClient(url, *self.key))
            try:
                response = client.post(path, json=body)
            except httpx.TransportError:
                self.lost += 1
                self.dead.add(url)
                self.clients.pop(url).close()
                continue
            assert response.status_code == 200, response.text
            return response.json()

    def run(self, campaign_id: int, stop: threading.Event) -> None:
        k = self.index
        while not stop.is_set():
            k += 1
            claim = {"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 2}
            answer = self.send(k, f"{OBS}/callnos", claim)
            assert answer["result"] == "0", answer
            if not answer["resultData"]:
                time.sleep(0.2)  # nothing due: claims lost with the server wait for their lease
                continue
            for number in answer["resultData"]:
                data_id = number["uniqueId"]
                self.handed.append(data_id)
                body = {
                    "subCCNo": 1,
                    "vdnId": 12,
                    "serviceId": str(campaign_id),
                    "uniqueId": data_id,
                    "status": "6",
                    "failCode": "00000",
                    "callId": f"call-{data_id}",
                }
                lost_before = self.lost
                answer = self.send(k + 1, f"{OBS}/call/result", body)
                if answer["result"] == "0":
                    self.accepted.append(data_id)
                else:  # only a resent report may find its number already completed
                    assert answer["result"] == "2" and self.lost > lost_before, answer
                    self.resent_stored.append(data_id)

    def close(self) -> None:
        for client in self.clients.values():
            client.close()


def test_a_server_killed_mid_run_loses_no_number_and_hands_none_out_twice(
    db_url, services, tmp_path
):
    env = clean_env(ISALES_LEASE_SECONDS=str(LEASE_SECONDS))
    with ThreadPoolExecutor(SERVERS) as starting:  # each start waits for its /healthz
        started = [starting.submit(start_serve, db_url, tmp_path, env=env) for _ in range(SERVERS)]
    servers = [f.result() for f in started if f.exception() is None]
    if len(servers) < SERVERS:
        for server in servers:
            server.stop()
        raise next(f.exception() for f in started if f.exception() is not None)
    dialers: list[Dialer] = []
    try:
        with servers[1].client() as admin:
            campaign_id = create_campaign(admin, init_status=0)
        fill_campaign(services, campaign_id, NUMBERS, "run")
        keys = [services.access.create_key([12]) for _ in range(DIALERS)]
        dialers = [
            Dialer(servers, (key.access_key, key.secret_key), i) for i, key in enumerate(keys)
        ]
        stop = threading.Event()
        failures: list[str] = []

        def dial(dialer: Dialer) -> None:
            try:
                dialer.run(campaign_id, stop)
            except Exception as exc:  # a thread's failure must fail the test
                failures.append(repr(exc))
                stop.set()

        threads = [threading.Thread(target=dial, args=(d,), daemon=True) for d in dialers]
        for thread in threads:
            thread.start()

        def completed() -> int:
            numbers = rows(services, "numbers", campaign_id=campaign_id)
            return sum(r["state"] == "completed" for r in numbers)

        deadline = time.monotonic() + 120
        while completed() < NUMBERS // 3 and not stop.is_set():
            assert time.monotonic() < deadline, "the dialers did not get going"
            time.sleep(0.05)
        servers[0].process.send_signal(signal.SIGKILL)
        servers[0].process.wait(30)
        done_at_kill = completed()
        while completed() < NUMBERS and not stop.is_set():
            assert time.monotonic() < deadline, "numbers were left undialled"
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
    finally:
        for dialer in dialers:
            dialer.close()
        for server in servers:
            server.stop()
    assert done_at_kill < NUMBERS  # the kill came mid-run
    handed = [data_id for d in dialers for data_id in d.handed]
    accepted = {data_id for d in dialers for data_id in d.accepted}
    resent = {data_id for d in dialers for data_id in d.resent_stored}
    numbers = rows(services, "numbers", campaign_id=campaign_id)
    results = rows(services, "call_results", campaign_id=campaign_id)
    assert len(handed) == len(set(handed)), "a number was handed out twice"
    assert len(numbers) == NUMBERS
    assert {r["state"] for r in numbers} == {"completed"}
    assert {str(r["id"]) for r in numbers} == set(handed)  # every number reached a dialer
    assert accepted | resent == set(handed)
    assert not accepted & resent
    assert sorted(str(r["data_id"]) for r in results) == sorted(set(handed))  # one result each
    assert {r["attempts"] for r in numbers} == {1}  # a claim lost with the server never counted
