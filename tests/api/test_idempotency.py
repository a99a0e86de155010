"""Idempotency-Key (docs/api.md, "Idempotency keys") over real HTTP on both stores."""

from __future__ import annotations

import threading
import uuid

import pytest

from isales.client import IsalesClient
from tests.support.api import (
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    calldata_path,
    campaigns_path,
    count,
    create_campaign,
    delete_path,
    numbers,
    ok_json,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")


def new_key() -> str:
    return uuid.uuid4().hex


def keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def test_the_same_request_again_replays_the_answer_byte_for_byte(client, server):
    campaign_id = create_campaign(client)
    key = new_key()
    body = {"callDataList": [{"called": "13700000001"}]}
    first = client.post(calldata_path(campaign_id), json=body, headers=keyed(key))
    assert ok_json(first)["resultCode"] == SUCCESS
    assert "idempotent-replayed" not in first.headers
    again = client.post(calldata_path(campaign_id), json=body, headers=keyed(key))
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert count(server.services, "numbers", campaign_id=campaign_id) == 1


@pytest.mark.parametrize("change", ["body", "path", "method"])
def test_the_same_key_on_a_different_request_is_0209002_and_runs_nothing(client, server, change):
    campaign_id = create_campaign(client)
    other = create_campaign(client)
    key = new_key()
    body = {"callDataList": [{"called": "13700000002"}]}
    client.post(calldata_path(campaign_id), json=body, headers=keyed(key))
    if change == "body":
        answer = client.post(
            calldata_path(campaign_id),
            json={"callDataList": [{"called": "13700000003"}]},
            headers=keyed(key),
        ).json()
    elif change == "path":
        answer = client.post(calldata_path(other), json=body, headers=keyed(key)).json()
    else:
        answer = client.put(f"{campaigns_path()}/{campaign_id}/resume", headers=keyed(key)).json()
    assert_code(answer, "0209002")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 1
    assert count(server.services, "numbers", campaign_id=other) == 0
    assert server.services.campaigns.get(12, campaign_id)["status"] == 3


def test_keys_belong_to_their_access_key(server):
    with server.client() as first, server.client() as second:
        campaign_id = create_campaign(first)
        key = new_key()
        body = {"callDataList": [{"called": "13700000004"}]}
        first.post(calldata_path(campaign_id), json=body, headers=keyed(key))
        answer = second.post(calldata_path(campaign_id), json=body, headers=keyed(key))
        assert answer.json()["resultCode"] == SUCCESS
        assert "idempotent-replayed" not in answer.headers
        assert count(server.services, "numbers", campaign_id=campaign_id) == 2


@pytest.mark.parametrize("key", ["", "a" * 65, "has space", "a/b", "a.b"])
def test_a_malformed_key_is_0200001(client, server, key):
    campaign_id = create_campaign(client)
    answer = client.post(
        calldata_path(campaign_id),
        json={"callDataList": [{"called": "13700000005"}]},
        headers=keyed(key) if key else {"Idempotency-Key": ""},
    ).json()
    assert_code(answer, "0200001")
    assert count(server.services, "numbers", campaign_id=campaign_id) == 0


def test_an_error_answer_is_replayed_too(client):
    key = new_key()
    body = {"called": "1"}
    first = client.post(delete_path(99999), json=body, headers=keyed(key))
    assert first.json()["resultCode"] == "0200007"
    again = client.post(delete_path(99999), json=body, headers=keyed(key))
    assert (again.content, again.headers["idempotent-replayed"]) == (first.content, "true")


def test_a_validation_failure_keeps_no_answer(client, server):
    """Only requests that reach their use case hold a key: a corrected retry runs."""
    campaign_id = create_campaign(client)
    key = new_key()
    bad = client.post(calldata_path(campaign_id), json={"callDataList": []}, headers=keyed(key))
    assert bad.json()["resultCode"] == "02000001"
    assert count(server.services, "idempotency_keys", key=key) == 0


def test_eight_threads_with_one_key_execute_once(client, server):
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(30, "1370001", customField="dup"))
    key = new_key()
    barrier = threading.Barrier(8)
    answers: list = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait()
        response = client.post(
            delete_path(campaign_id),
            json={"customField": "dup", "archiveHistory": 1},
            headers=keyed(key),
        )
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8
    assert {a.content for a in answers} == {answers[0].content}
    assert answers[0].json()["successCount"] == 30
    replayed = [a for a in answers if a.headers.get("idempotent-replayed") == "true"]
    assert len(replayed) == 7
    assert count(server.services, "number_history", campaign_id=campaign_id) == 30
    deletes = [
        e
        for e in server.services.audit.entries(vdn_id=12)
        if e["operation"] == "number-delete" and f'"campaignId":{campaign_id}' in e["detail"]
    ]
    assert len(deletes) == 1


def test_keys_hold_across_server_processes(make_server):
    """Two servers on one store: the second replays what the first answered."""
    first = make_server()
    second = __import__("tests.conftest", fromlist=["start_server"]).start_server(first.settings.db)
    try:
        key_client = first.client()
        campaign_id = create_campaign(key_client)
        key = new_key()
        body = {"callDataList": [{"called": "13700000006"}]}
        answer = key_client.post(calldata_path(campaign_id), json=body, headers=keyed(key))
        same_key = IsalesClient(second.base_url, key_client.access_key, key_client.secret_key)
        again = same_key.post(calldata_path(campaign_id), json=body, headers=keyed(key))
        assert again.content == answer.content
        assert again.headers["idempotent-replayed"] == "true"
        assert len(rows(first.services, "numbers", campaign_id=campaign_id)) == 1
    finally:
        second.stop()


def test_expired_keys_run_again_and_are_purged(make_server):
    clock = MovableClock()
    running = make_server(clock=clock, idempotency_ttl_seconds=60)
    with running.client() as client:
        campaign_id = create_campaign(client)
        key = new_key()
        body = {"callDataList": [{"called": "13700000007"}]}
        client.post(calldata_path(campaign_id), json=body, headers=keyed(key))
        clock.advance(61)
        again = client.post(calldata_path(campaign_id), json=body, headers=keyed(key))
        assert "idempotent-replayed" not in again.headers
        assert count(running.services, "numbers", campaign_id=campaign_id) == 2
        clock.advance(61)
        assert running.services.idempotency.purge_expired() >= 1
        assert count(running.services, "idempotency_keys", key=key) == 0
