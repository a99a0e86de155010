"""Result callbacks (docs/api.md#result-callbacks): the outbox delivered to a real HTTP receiver."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.support.api import (
    MovableClock,
    add_numbers,
    create_campaign,
    rows,
)
from tests.support.callbacks import MANUAL, Receiver, dial
from tests.support.servers import free_port, start_server

pytestmark = pytest.mark.usefixtures("backend")

TIME = "%Y-%m-%d %H:%M:%S"
RETRY = 600  # the default callback_retry_seconds


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def outbox(server) -> list[dict]:
    return sorted(rows(server.services, "callback_outbox"), key=lambda row: row["id"])


def one_result(make_server, receiver, **settings):  # type: ignore[no-untyped-def]
    """A server on a movable clock and one final result waiting in its outbox."""
    clock = MovableClock()
    server = make_server(clock=clock, **{**MANUAL, **settings})
    with server.client() as client:
        campaign_id = create_campaign(client, init_status=0, callBackUrl=receiver.url)
        add_numbers(
            client, campaign_id, [{"called": "5551", "sessionId": "c1", "customField": "b"}]
        )
        [data_id] = dial(client, campaign_id, ["6"])
    return server, clock, campaign_id, data_id


def test_a_result_is_pushed_as_a_json_array_once(make_server, receiver):
    server, clock, campaign_id, data_id = one_result(make_server, receiver)
    reported_at = clock().strftime(TIME)
    # reporting does not push: delivery is the background job's
    assert receiver.received == []
    [row] = outbox(server)
    assert (row["pushes"], row["next_attempt_at"], row["delivered_at"]) == (0, clock(), None)

    assert server.services.callbacks.deliver_due() == 1
    [push] = receiver.received
    assert push["path"] == "/isales/results"
    assert push["headers"]["Content-Type"] == "application/json"
    assert "Authorization" not in push["headers"]
    assert push["body"] == [
        {
            "campaignId": str(campaign_id),
            "sessionId": "c1",
            "called": "5551",
            "callTimeStr": reported_at,
            "callStatus": 6,
            "failCode": "00000",
            "vdnId": 12,
            "callId": f"call-{data_id}",
            "customField": "b",
            "recordPath": "",
        }
    ]
    [row] = outbox(server)
    assert (row["pushes"], row["next_attempt_at"], row["delivered_at"]) == (1, None, clock())
    assert row["gave_up_at"] is None and row["last_error"] is None
    clock.advance(3 * RETRY)
    assert server.services.callbacks.deliver_due() == 0
    assert len(receiver.received) == 1


def test_one_refusal_is_re_pushed_at_once(make_server, receiver):
    receiver.refuse = 1
    server, clock, _, _ = one_result(make_server, receiver)
    assert server.services.callbacks.deliver_due() == 1
    assert len(receiver.received) == 2 and receiver.bodies[0] == receiver.bodies[1]
    [row] = outbox(server)
    assert (row["pushes"], row["delivered_at"], row["next_attempt_at"]) == (1, clock(), None)
    assert row["last_error"] == "HTTP 500"


def test_a_failed_push_is_retried_after_the_retry_interval(make_server, receiver):
    receiver.refuse = 2  # the first push and its immediate re-push
    server, clock, _, _ = one_result(make_server, receiver)
    failed_at = clock()
    assert server.services.callbacks.deliver_due() == 1
    [row] = outbox(server)
    assert (row["pushes"], row["delivered_at"], row["last_error"]) == (1, None, "HTTP 500")
    assert row["next_attempt_at"] == failed_at + timedelta(seconds=RETRY)

    clock.advance(RETRY - 1)
    assert server.services.callbacks.deliver_due() == 0
    assert len(receiver.received) == 2
    clock.advance(1)
    assert server.services.callbacks.deliver_due() == 1
    assert len(receiver.received) == 3
    [row] = outbox(server)
    assert (row["pushes"], row["delivered_at"], row["next_attempt_at"]) == (2, clock(), None)


@pytest.mark.parametrize(("max_pushes", "retry_seconds"), [(6, 600), (2, 30)])
def test_gives_up_after_the_last_allowed_push(make_server, receiver, max_pushes, retry_seconds):
    receiver.refuse = 1000
    server, clock, _, _ = one_result(
        make_server,
        receiver,
        callback_max_pushes=max_pushes,
        callback_retry_seconds=retry_seconds,
    )
    for push in range(1, max_pushes + 1):
        assert server.services.callbacks.deliver_due() == 1
        assert len(receiver.received) == 2 * push
        [row] = outbox(server)
        assert row["pushes"] == push
        if push < max_pushes:
            assert row["next_attempt_at"] == clock() + timedelta(seconds=retry_seconds)
            assert server.services.callbacks.deliver_due() == 0  # not due yet
            clock.advance(retry_seconds)
    [row] = outbox(server)
    assert (row["next_attempt_at"], row["gave_up_at"], row["delivered_at"]) == (None, clock(), None)
    assert row["last_error"] == "HTTP 500"
    clock.advance(24 * 3600)
    assert server.services.callbacks.deliver_due() == 0
    assert len(receiver.received) == 2 * max_pushes


def test_an_unreachable_receiver_is_a_failed_push(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, **MANUAL)
    with server.client() as client:
        url = f"http://127.0.0.1:{free_port()}/nobody-listens"
        campaign_id = create_campaign(client, init_status=0, callBackUrl=url)
        add_numbers(client, campaign_id, [{"called": "5552"}])
        dial(client, campaign_id, ["5"])
    assert server.services.callbacks.deliver_due() == 1
    [row] = outbox(server)
    assert row["pushes"] == 1 and row["delivered_at"] is None
    assert row["next_attempt_at"] == clock() + timedelta(seconds=RETRY)
    assert row["last_error"].startswith("ConnectError")


def test_only_final_results_of_campaigns_with_a_url_are_queued(make_server, receiver):
    clock = MovableClock()
    server = make_server(clock=clock, **MANUAL)
    with server.client() as client:
        without_url = create_campaign(client, init_status=0)
        add_numbers(client, without_url, [{"called": "5553"}])
        dial(client, without_url, ["6"])
        assert outbox(server) == []
        assert server.services.callbacks.deliver_due() == 0


def test_several_results_are_delivered_oldest_first(make_server, receiver):
    clock = MovableClock()
    server = make_server(clock=clock, **MANUAL)
    with server.client() as client:
        campaign_id = create_campaign(client, init_status=0, callBackUrl=receiver.url)
        add_numbers(client, campaign_id, [{"called": f"700{i}"} for i in range(5)])
        for _ in range(5):
            dial(client, campaign_id, ["6"])
            clock.advance(1)
    assert server.services.callbacks.deliver_due(limit=3) == 3
    assert server.services.callbacks.deliver_due() == 2
    assert [body[0]["called"] for body in receiver.bodies] == [f"700{i}" for i in range(5)]
    assert all(len(body) == 1 for body in receiver.bodies)


def test_a_restarted_server_delivers_what_was_pending(make_server, receiver):
    receiver.refuse = 2
    first, clock, _, data_id = one_result(make_server, receiver)
    assert first.services.callbacks.deliver_due() == 1  # failed; due again in 10 minutes
    first.stop()

    clock.advance(RETRY)
    second = start_server(first.settings.db, clock=clock, **MANUAL)
    try:
        assert second.services.callbacks.deliver_due() == 1
        assert [body[0]["callId"] for body in receiver.bodies] == [f"call-{data_id}"] * 3
        [row] = outbox(second)
        assert (row["pushes"], row["delivered_at"]) == (2, clock())
    finally:
        second.stop()


def test_a_push_interrupted_by_a_crash_is_delivered_after_its_lease(make_server, receiver):
    first, clock, _, data_id = one_result(make_server, receiver)
    # a server leased the row, then died before pushing or recording anything
    leased = first.services.callbacks.lease_next()
    assert leased is not None and leased["pushes"] == 0
    first.stop()

    second = start_server(first.settings.db, clock=clock, **MANUAL)
    try:
        assert second.services.callbacks.deliver_due() == 0  # still leased: nobody else pushes
        lease = leased["next_attempt_at"] - clock()
        assert lease > timedelta(seconds=2 * second.settings.callback_timeout_seconds)
        clock.advance(lease.total_seconds())
        assert second.services.callbacks.deliver_due() == 1
        assert [body[0]["callId"] for body in receiver.bodies] == [f"call-{data_id}"]
        [row] = outbox(second)
        assert (row["pushes"], row["delivered_at"], row["next_attempt_at"]) == (1, clock(), None)
        # the dead server's lease is gone: recording its push now changes nothing
        assert not second.services.callbacks.record_push(leased, delivered=True, error=None)
        assert outbox(second) == [row]
    finally:
        second.stop()


def test_two_servers_never_push_the_same_row(make_server, receiver):
    clock = MovableClock()
    first = make_server(clock=clock, **MANUAL)
    with first.client() as client:
        campaign_id = create_campaign(client, init_status=0, callBackUrl=receiver.url)
        add_numbers(client, campaign_id, [{"called": f"80{i:03d}"} for i in range(40)])
        dial(client, campaign_id, ["6"] * 40)
    second = start_server(first.settings.db, clock=clock, **MANUAL)
    try:
        pushed: list[int] = []
        workers = [
            threading.Thread(target=lambda s=s: pushed.append(s.services.callbacks.deliver_due()))
            for s in (first, second)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert sum(pushed) == 40
        called = sorted(body[0]["called"] for body in receiver.bodies)
        assert called == [f"80{i:03d}" for i in range(40)]
        assert all(row["pushes"] == 1 and row["delivered_at"] for row in outbox(first))
    finally:
        second.stop()


def test_the_serving_process_delivers_in_the_background(make_server, receiver):
    server = make_server(callback_sweep_seconds=0.05, callback_allow_private=True)
    jobs = server.services.background_jobs()
    assert (0.05, server.services.callbacks.dispatch_due) in jobs
    with server.client() as client:
        campaign_id = create_campaign(client, init_status=0, callBackUrl=receiver.url)
        add_numbers(client, campaign_id, [{"called": "9001"}])
        dial(client, campaign_id, ["6"])
    deadline = time.monotonic() + 30
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [body[0]["called"] for body in receiver.bodies] == ["9001"]
    while outbox(server)[0]["delivered_at"] is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert outbox(server)[0]["pushes"] == 1
