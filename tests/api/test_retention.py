"""Retention and legal holds (docs/api.md#retention-and-legal-holds) on both stores."""

from __future__ import annotations

import json
import time

import pytest

from isales.services.retention import PURGE_BATCH
from tests.support.api import (
    SUCCESS,
    MovableClock,
    add_numbers,
    assert_code,
    campaigns_path,
    claim,
    count,
    create_campaign,
    delete,
    execute_sql,
    numbers,
    report,
    set_status,
)
from tests.support.servers import start_server

pytestmark = pytest.mark.usefixtures("backend")


def fill(client, prefix: str) -> int:  # type: ignore[no-untyped-def]
    """A campaign with 3 archived numbers and 1 reported call result."""
    campaign_id = create_campaign(client, init_status=0)
    add_numbers(client, campaign_id, numbers(4, prefix, customField="old"))
    data_id = claim(client, campaign_id, 1)[0]["uniqueId"]
    assert report(client, campaign_id, data_id)["result"] == "0"
    assert set_status(client, campaign_id, "pause")["resultCode"] == SUCCESS
    answer = delete(client, campaign_id, {"customField": "old", "archiveHistory": 1})
    assert answer["successCount"] == 3
    return campaign_id


def test_purge_removes_old_history_and_results_except_held_campaigns(make_server):
    clock = MovableClock()
    running = make_server(clock=clock, history_retention_days=2)
    services = running.services
    with running.client() as client:
        purged, held = fill(client, "1360001"), fill(client, "1360002")
        assert services.retention.set_hold(12, held, "litigation 42", "tester") is True
        clock.advance(86400)  # one day: nothing is old enough
        assert services.retention.purge() == {}
        clock.advance(2 * 86400)
        assert services.retention.purge() == {"history": 3, "results": 1}
    assert count(services, "number_history", campaign_id=purged) == 0
    assert count(services, "call_results", campaign_id=purged) == 0
    assert count(services, "number_history", campaign_id=held) == 3
    assert count(services, "call_results", campaign_id=held) == 1
    entries = [e for e in services.audit.entries(vdn_id=12) if e["operation"] == "purge"]
    assert sorted(json.loads(e["detail"]).get("history", 0) for e in entries) == [0, 3]
    assert services.audit.verify().intact


def test_without_a_retention_setting_nothing_is_purged(make_server):
    clock = MovableClock()
    running = make_server(clock=clock)
    with running.client() as client:
        campaign_id = fill(client, "1360003")
    clock.advance(3650 * 86400)
    assert running.services.retention.purge() == {}
    assert count(running.services, "number_history", campaign_id=campaign_id) == 3


def test_purge_runs_in_bounded_batches(make_server):
    clock = MovableClock()
    running = make_server(clock=clock, history_retention_days=1)
    with running.client() as client:
        campaign_id = create_campaign(client)
    # more rows than one batch, archived long ago
    rows = PURGE_BATCH + 7
    if running.services.store.is_sqlite:
        series = (
            f"WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {rows}) "
            "SELECT x FROM s"
        )
    else:
        series = f"SELECT x FROM generate_series(1, {rows}) AS x"
    execute_sql(
        running.services,
        "INSERT INTO number_history (id, campaign_id, vdn_id, called, state, attempts, "
        "created_at, archived_at, archived_by, request_id, reason) "
        f"SELECT x + 900000000, {campaign_id}, 12, '1', 'pending', 0, "
        "'2000-01-01', '2000-01-01', 'a', 'r', 'number-delete' "
        f"FROM ({series}) AS series",
    )
    assert running.services.retention.purge() == {"history": rows}
    entries = [e for e in running.services.audit.entries(vdn_id=12) if e["operation"] == "purge"]
    assert len(entries) == 2  # one per batch


def test_a_held_campaign_cannot_be_deleted(make_server):
    running = make_server()
    with running.client() as client:
        campaign_id = create_campaign(client)
        running.services.retention.set_hold(12, campaign_id, None, "tester")
        answer = client.delete(f"{campaigns_path()}/{campaign_id}").json()
        assert_code(answer, "0209004")
        assert running.services.retention.release_hold(12, campaign_id, "tester") is True
        assert running.services.retention.release_hold(12, campaign_id, "tester") is False
        assert client.delete(f"{campaigns_path()}/{campaign_id}").json()["resultCode"] == SUCCESS
    operations = [e["operation"] for e in running.services.audit.entries(vdn_id=12)]
    assert operations[-3:] == ["hold-set", "hold-release", "campaign-delete"]


def test_retention_runs_once_when_the_server_starts(make_server):
    clock = MovableClock()
    first = make_server(clock=clock)
    with first.client() as client:
        campaign_id = fill(client, "1360004")
    clock.advance(10 * 86400)
    second = start_server(first.settings.db, clock=clock, history_retention_days=1)
    try:
        deadline = time.monotonic() + 30
        while count(first.services, "number_history", campaign_id=campaign_id):
            assert time.monotonic() < deadline, "the start-up purge did not run"
            time.sleep(0.05)
    finally:
        second.stop()
    assert count(first.services, "call_results", campaign_id=campaign_id) == 0
