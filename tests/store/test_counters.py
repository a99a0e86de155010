"""The uncompleted-number counter (``campaign_counters``, kept by triggers, migration 0003).

After every kind of change — through the API, the background jobs, or plain SQL as a future
code path would write it — the counter equals a recount of the campaign's numbers.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from isales.domain.states import UNCOMPLETED
from isales.store import schema
from tests.support.api import (
    MovableClock,
    add_numbers,
    claim,
    create_campaign,
    delete,
    execute_sql,
    numbers,
    report,
    rows,
)

pytestmark = pytest.mark.usefixtures("backend")


def counter(services, campaign_id: int) -> int | None:  # type: ignore[no-untyped-def]
    found = rows(services, "campaign_counters", campaign_id=campaign_id)
    return found[0]["uncompleted"] if found else None


def recount(services, campaign_id: int) -> int:  # type: ignore[no-untyped-def]
    numbers_table = schema.numbers
    with services.store.read() as conn:
        return conn.execute(
            select(func.count())
            .select_from(numbers_table)
            .where(
                numbers_table.c.campaign_id == campaign_id,
                numbers_table.c.state.in_(UNCOMPLETED),
            )
        ).scalar_one()


def assert_counted(services, campaign_id: int, expected: int) -> None:  # type: ignore[no-untyped-def]
    assert recount(services, campaign_id) == expected
    assert counter(services, campaign_id) == expected


def test_a_new_campaign_starts_at_zero_and_its_row_goes_with_it(server, client):
    campaign_id = create_campaign(client)
    assert counter(server.services, campaign_id) == 0
    add_numbers(client, campaign_id, numbers(3, prefix="1390000"))
    answer = client.delete(f"/rest/isales/v1/openapi/campaigns/12/{campaign_id}").json()
    assert answer["resultCode"] == "0200000", answer
    assert counter(server.services, campaign_id) is None


def test_adds_and_deletes_through_the_api(server, client):
    campaign_id = create_campaign(client)
    ids = add_numbers(client, campaign_id, numbers(45, prefix="1391000", customField="x"))
    assert len(ids) == 45
    assert_counted(server.services, campaign_id, 45)
    assert (
        delete(client, campaign_id, {"customField": "x", "archiveHistory": 1})["successCount"] == 45
    )
    assert_counted(server.services, campaign_id, 0)
    add_numbers(client, campaign_id, numbers(5, prefix="1392000"))
    assert delete(client, campaign_id, {"called": "13920000001"})["successCount"] == 1
    assert_counted(server.services, campaign_id, 4)


def test_claims_reports_and_lapsed_leases(make_server):
    clock = MovableClock()
    server = make_server(clock=clock, lease_seconds=60)
    with server.client() as client:
        campaign_id = create_campaign(client, init_status=0)
        add_numbers(client, campaign_id, numbers(6, prefix="1393000"))
        claimed = claim(client, campaign_id, 4)
        assert_counted(server.services, campaign_id, 6)  # calling is still uncompleted
        assert report(client, campaign_id, claimed[0]["uniqueId"], status="6") == {"result": "0"}
        assert report(client, campaign_id, claimed[1]["uniqueId"], status="5") == {"result": "0"}
        assert_counted(server.services, campaign_id, 4)  # two completed (no retry policy)
        clock.advance(120)
        assert server.services.dialer.release_lapsed_claims() == 2
        assert_counted(server.services, campaign_id, 4)


def test_file_import_counts_every_chunk(server, client):
    campaign_id = create_campaign(client)
    content = "\n".join(["called", *(f"13940{i:06d}" for i in range(2500)), ""]).encode()
    server.services.imports.upload(12, campaign_id, "numbers.csv", content)
    assert server.services.imports.run_pending() >= 2500
    assert_counted(server.services, campaign_id, 2500)


def test_plain_sql_paths_keep_the_counter(server, client):
    """Restore from history, bulk state changes, erasure: any statement, any future path."""
    services = server.services
    campaign_id = create_campaign(client)
    add_numbers(client, campaign_id, numbers(30, prefix="1395000", customField="r"))
    assert (
        delete(client, campaign_id, {"customField": "r", "archiveHistory": 1})["successCount"] == 30
    )
    assert_counted(services, campaign_id, 0)
    columns = ", ".join(schema.NUMBER_COPY_COLUMNS)
    execute_sql(  # restore: history rows back into numbers
        services,
        f"INSERT INTO numbers ({columns}, version) SELECT {columns}, 0 FROM number_history "
        f"WHERE campaign_id = {campaign_id}",
    )
    assert_counted(services, campaign_id, 30)
    execute_sql(
        services,
        f"UPDATE numbers SET state = 'completed' WHERE campaign_id = {campaign_id} "
        "AND called LIKE '1395000000%'",
    )
    assert_counted(services, campaign_id, 20)
    execute_sql(
        services,
        f"UPDATE numbers SET state = 'retry' WHERE campaign_id = {campaign_id} "
        "AND called = '13950000000'",
    )
    assert_counted(services, campaign_id, 21)
    execute_sql(  # pending -> retry: both uncompleted, nothing changes
        services,
        f"UPDATE numbers SET state = 'retry' WHERE campaign_id = {campaign_id} "
        "AND state = 'pending'",
    )
    assert_counted(services, campaign_id, 21)
    execute_sql(
        services,
        f"DELETE FROM numbers WHERE campaign_id = {campaign_id} AND called LIKE '1395000001%'",
    )
    assert_counted(services, campaign_id, 11)
    execute_sql(services, f"DELETE FROM numbers WHERE campaign_id = {campaign_id}")
    assert_counted(services, campaign_id, 0)


def test_numbers_of_two_campaigns_in_one_statement(server, client):
    services = server.services
    first, second = create_campaign(client), create_campaign(client)
    add_numbers(client, first, numbers(7, prefix="1396000"))
    add_numbers(client, second, numbers(9, prefix="1397000"))
    execute_sql(
        services,
        f"UPDATE numbers SET state = 'completed' WHERE campaign_id IN ({first}, {second}) "
        "AND called LIKE '%0000'",
    )
    assert_counted(services, first, 6)
    assert_counted(services, second, 8)
    execute_sql(services, f"DELETE FROM numbers WHERE campaign_id IN ({first}, {second})")
    assert_counted(services, first, 0)
    assert_counted(services, second, 0)


def test_the_cap_reads_the_counter(make_server):
    server = make_server(max_uncompleted_per_campaign=25)
    with server.client() as client:
        campaign_id = create_campaign(client, init_status=0)
        add_numbers(client, campaign_id, numbers(20, prefix="1398000"))
        [item] = claim(client, campaign_id, 1)
        assert report(client, campaign_id, item["uniqueId"], status="6") == {"result": "0"}
        answer = client.post(
            f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}",
            json={"callDataList": numbers(7, prefix="1399000")},
        ).json()
        assert answer["resultCode"] == "0200020", answer  # 19 + 7 > 25: the report counted
        answer = client.post(
            f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}",
            json={"callDataList": numbers(6, prefix="1399200")},
        ).json()
        assert answer["resultCode"] == "0200000", answer
        assert answer["returnObject"]["totalSize"] == 25
        assert_counted(server.services, campaign_id, 25)


def test_an_older_store_is_counted_when_it_upgrades(backend, tmp_path):
    """Migration 0003 counts the numbers a store already holds, then the triggers go on."""
    from isales.store.engine import make_engine
    from isales.store.migrate import upgrade
    from tests.support.stores import empty_store

    with empty_store(backend, tmp_path) as url:
        engine = make_engine(url)
        try:
            upgrade(engine, "0002")
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO campaigns (id, vdn_id, name, status, begin_time, end_time, "
                    "device_type, caller_no, max_alerting_time, schedule_param, api_version, "
                    "created_at, updated_at) VALUES (7, 12, 'old', 3, '2026-01-01 00:00:00', "
                    "'2030-01-01 00:00:00', 2, '\"1\"', 30, '{}', 1, '2026-01-01 00:00:00', "
                    "'2026-01-01 00:00:00')"
                )
                for i, state in enumerate(["pending", "retry", "calling", "completed"] * 3):
                    conn.exec_driver_sql(
                        "INSERT INTO numbers (campaign_id, vdn_id, called, state, attempts, "
                        f"created_at, version) VALUES (7, 12, '5{i:04d}', '{state}', 0, "
                        "'2026-01-01 00:00:00', 0)"
                    )
            upgrade(engine)
            with engine.begin() as conn:
                assert (
                    conn.exec_driver_sql(
                        "SELECT uncompleted FROM campaign_counters WHERE campaign_id = 7"
                    ).scalar_one()
                    == 9
                )
                conn.exec_driver_sql("DELETE FROM numbers WHERE state = 'pending'")
                assert (
                    conn.exec_driver_sql(
                        "SELECT uncompleted FROM campaign_counters WHERE campaign_id = 7"
                    ).scalar_one()
                    == 6
                )
        finally:
            engine.dispose()
