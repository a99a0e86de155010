"""Deletes racing imports, other deletes, two dialers and a pause/resume toggler.

Real threads send real HTTP requests to one real server; on PostgreSQL the requests run
concurrently on row locks, on SQLite they serialise on the write lock. Either way the
invariants of docs/api.md#deleting-outbound-numbers ("Concurrency") must hold afterwards.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from tests.support.api import (
    OBS,
    SUCCESS,
    add_numbers,
    calldata_path,
    create_campaign,
    delete_path,
    rows,
    set_status,
)

pytestmark = [pytest.mark.usefixtures("backend"), pytest.mark.concurrency]

BATCHES = [f"batch-{n}" for n in range(4)]


@dataclass
class Journal:
    lock: threading.Lock = field(default_factory=threading.Lock)
    imported: set[str] = field(default_factory=set)
    claimed: list[str] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)
    deletes: list[tuple[str, int, bool]] = field(default_factory=list)  # (code, count, archive)
    errors: list[str] = field(default_factory=list)


def _records(rng: random.Random, prefix: str, n: int) -> list[dict]:
    return [
        {"called": f"{prefix}{i:03d}", "customField": rng.choice(BATCHES), "sessionId": prefix}
        for i in range(n)
    ]


def _guard(journal: Journal, work) -> None:  # type: ignore[no-untyped-def]
    try:
        work()
    except Exception as exc:  # a thread's failure must fail the test, not vanish
        with journal.lock:
            journal.errors.append(repr(exc))


def run_race(server, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    journal = Journal()
    admin = server.client()
    campaign_id = create_campaign(admin, init_status=0)
    journal.imported.update(add_numbers(admin, campaign_id, _records(rng, "1300", 100)))
    start = threading.Barrier(8)
    writers_done = threading.Event()

    def importer() -> None:
        client = server.client()
        start.wait()
        for round_ in range(12):
            answer = client.post(
                calldata_path(campaign_id),
                json={"callDataList": _records(rng, f"14{round_:02d}", 20)},
            ).json()
            assert answer["resultCode"] == SUCCESS, answer
            with journal.lock:
                journal.imported.update(
                    item["dataId"] for item in answer["returnObject"]["dataIdList"]
                )

    def deleter(n: int) -> None:
        client = server.client()
        local = random.Random(seed * 31 + n)
        start.wait()
        for _ in range(12):
            archive = local.random() < 0.5
            body = {"customField": local.choice(BATCHES), "archiveHistory": int(archive)}
            answer = client.post(delete_path(campaign_id), json=body).json()
            with journal.lock:
                journal.deletes.append((answer["resultCode"], answer["successCount"], archive))

    def claimer(n: int) -> None:
        client = server.client()
        local = random.Random(seed * 17 + n)
        start.wait()
        while not writers_done.is_set():
            answer = client.post(
                f"{OBS}/callnos",
                json={"subCCNo": 1, "vdnId": 12, "serviceId": campaign_id, "batchCount": 5},
            ).json()
            assert answer["result"] == "0", answer
            for item in answer["resultData"]:
                with journal.lock:
                    journal.claimed.append(item["uniqueId"])
                if local.random() < 0.5:
                    result = client.post(
                        f"{OBS}/call/result",
                        json={
                            "subCCNo": 1,
                            "vdnId": 12,
                            "serviceId": str(campaign_id),
                            "uniqueId": item["uniqueId"],
                            "status": local.choice(["5", "6"]),
                            "failCode": "00000",
                            "callId": f"c-{item['uniqueId']}",
                        },
                    ).json()
                    assert result["result"] == "0", result
                    with journal.lock:
                        journal.reported.add(item["uniqueId"])
            if not answer["resultData"]:
                time.sleep(0.005)

    def toggler() -> None:
        client = server.client()
        start.wait()
        for _ in range(10):
            for action in ("pause", "resume"):
                assert set_status(client, campaign_id, action)["resultCode"] == SUCCESS
                time.sleep(0.01)

    writers = [
        threading.Thread(target=_guard, args=(journal, importer)),
        threading.Thread(target=_guard, args=(journal, toggler)),
    ]
    writers += [
        threading.Thread(target=_guard, args=(journal, lambda n=n: deleter(n))) for n in range(4)
    ]
    claimers = [
        threading.Thread(target=_guard, args=(journal, lambda n=n: claimer(n))) for n in range(2)
    ]
    for thread in writers + claimers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    writers_done.set()
    for thread in claimers:
        thread.join(timeout=60)
    assert journal.errors == []
    assert not any(thread.is_alive() for thread in writers + claimers)

    # one last delete of everything deletable, on a paused campaign
    set_status(admin, campaign_id, "pause")
    for batch in BATCHES:
        answer = admin.post(
            delete_path(campaign_id), json={"customField": batch, "archiveHistory": 1}
        ).json()
        journal.deletes.append((answer["resultCode"], answer["successCount"], True))

    check_invariants(server, campaign_id, journal)


def check_invariants(server, campaign_id: int, journal: Journal) -> None:  # type: ignore[no-untyped-def]
    live = {str(r["id"]): r for r in rows(server.services, "numbers", campaign_id=campaign_id)}
    archived = [
        str(r["id"]) for r in rows(server.services, "number_history", campaign_id=campaign_id)
    ]
    imported = journal.imported

    # every answer is documented; a refused delete removed nothing
    for code, removed, _ in journal.deletes:
        assert code in (SUCCESS, "0200028"), code
        assert code == SUCCESS or removed == 0
    # nothing archived twice
    assert len(archived) == len(set(archived))
    # no number both claimed and deleted; no number claimed twice (leases did not lapse)
    assert len(journal.claimed) == len(set(journal.claimed))
    assert set(journal.claimed) <= set(live)
    for data_id in journal.claimed:
        expected = "completed" if data_id in journal.reported else "calling"
        assert live[data_id]["state"] == expected
    # what was imported is live, archived or hard-deleted, exactly once
    assert set(live) <= imported and set(archived) <= imported
    assert not set(live) & set(archived)
    hard_deleted = imported - set(live) - set(archived)
    archived_count = sum(n for code, n, archive in journal.deletes if code == SUCCESS and archive)
    hard_count = sum(n for code, n, archive in journal.deletes if code == SUCCESS and not archive)
    assert len(archived) == archived_count
    assert len(hard_deleted) == hard_count
    assert archived_count + hard_count == len(imported) - len(live)
    # only numbers never attempted are left deletable, and none of them survived the final sweep
    assert Counter(r["state"] for r in live.values()).get("pending", 0) == 0
    results = rows(server.services, "call_results", campaign_id=campaign_id)
    assert sorted(str(r["data_id"]) for r in results) == sorted(journal.reported)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_deletes_race_imports_dialers_and_toggles(make_server, seed):
    run_race(make_server(), seed)


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.01, 0.05])
def test_resume_during_a_delete_is_all_or_nothing(make_server, delay):
    server = make_server(add_v2_max_per_call=2000)
    with server.client() as admin, server.client() as toggler:
        campaign_id = create_campaign(admin, init_status=1)
        for chunk in range(3):
            records = [
                {
                    "sessionId": f"s{chunk}-{i}",
                    "called": [{"calledNo": f"1{chunk}{i:06d}"}],
                    "customField": "big",
                }
                for i in range(2000)
            ]
            answer = admin.post(
                f"/rest/isales/v2/openapi/campaigns/12/calldata/{campaign_id}",
                json={"callDataList": records},
            ).json()
            assert answer["resultCode"] == SUCCESS, answer
        outcome: dict = {}

        def run_delete() -> None:
            outcome["delete"] = admin.post(
                delete_path(campaign_id), json={"customField": "big", "archiveHistory": 1}
            ).json()

        worker = threading.Thread(target=run_delete)
        worker.start()
        time.sleep(delay)
        assert set_status(toggler, campaign_id, "resume")["resultCode"] == SUCCESS
        worker.join(timeout=60)
        answer = outcome["delete"]
        live = len(rows(server.services, "numbers", campaign_id=campaign_id))
        archived = len(rows(server.services, "number_history", campaign_id=campaign_id))
        if answer["resultCode"] == SUCCESS:
            assert (answer["successCount"], live, archived) == (6000, 0, 6000)
        else:
            assert answer["resultCode"] == "0200028"
            assert (answer["successCount"], live, archived) == (0, 6000, 0)
