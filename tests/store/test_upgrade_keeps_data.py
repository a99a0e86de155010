"""A store made by an older release (at revision 0002) upgrades with ``isales db upgrade``
and keeps all its data; the data-lifecycle interfaces then work on it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert, inspect

from isales.config import Settings
from isales.services import Services
from isales.store import schema
from isales.store.engine import make_engine
from isales.store.migrate import upgrade
from isales.store.numbers import NumberFilter
from tests.support.processes import ok, run
from tests.support.stores import empty_store

pytestmark = pytest.mark.usefixtures("backend")

NOW = datetime(2026, 11, 1, 8, 0, 0)


@pytest.fixture
def old_store(backend, tmp_path):
    """A store at revision 0002 holding keys, a campaign, numbers, history and results."""
    with empty_store(backend, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0002")
        assert "audit_log" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            conn.execute(
                insert(schema.access_keys).values(
                    access_key="AKOLD", secret_key="sk", created_at=NOW
                )
            )
            conn.execute(insert(schema.key_vdns).values(access_key="AKOLD", vdn_id=12))
            campaign_id = conn.execute(
                insert(schema.campaigns).values(
                    vdn_id=12,
                    name="old",
                    status=3,
                    begin_time=NOW,
                    end_time=datetime(2030, 1, 1),
                    device_type=2,
                    caller_no="10086",
                    max_alerting_time=30,
                    schedule_param={},
                    api_version=1,
                    created_at=NOW,
                    updated_at=NOW,
                )
            ).inserted_primary_key[0]
            # only the columns revision 0002 has: the current schema has more
            for i in range(3):
                conn.exec_driver_sql(
                    "INSERT INTO numbers (campaign_id, vdn_id, called, custom_field, state, "
                    f"attempts, created_at, next_due_at) VALUES ({campaign_id}, 12, "
                    f"'1340000000{i}', 'keep', 'pending', 0, '2026-11-01 08:00:00', "
                    "'2026-11-01 08:00:00')"
                )
            conn.exec_driver_sql(
                "INSERT INTO number_history (id, campaign_id, vdn_id, called, state, attempts, "
                "created_at, archived_at, archived_by, request_id, reason) VALUES "
                f"(990001, {campaign_id}, 12, '13411111111', 'pending', 0, "
                "'2026-11-01 08:00:00', '2026-11-01 09:00:00', 'AKOLD', 'req-old', "
                "'number-delete')"
            )
            conn.exec_driver_sql(
                "INSERT INTO call_results (data_id, campaign_id, vdn_id, called, call_status, "
                "attempt, final, reported_at) VALUES "
                f"(990002, {campaign_id}, 12, '13422222222', '6', 1, 1, '2026-11-01 10:00:00')"
            )
        engine.dispose()
        yield url, campaign_id


OLD_TABLES = ("access_keys", "campaigns", "number_history", "call_results")


def rows_of(conn, table: str, columns: set[str] | None = None) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The table's rows as sorted (column, text) pairs, limited to ``columns`` if given."""
    return sorted(
        tuple(sorted((k, str(v)) for k, v in row.items() if columns is None or k in columns))
        for row in conn.exec_driver_sql(f"SELECT * FROM {table}").mappings()
    )


def test_isales_db_upgrade_keeps_the_data_of_a_0002_store(old_store, tmp_path):
    url, campaign_id = old_store
    engine = make_engine(url)
    with engine.connect() as conn:
        before = {name: rows_of(conn, name) for name in OLD_TABLES}
        numbers_before = conn.exec_driver_sql("SELECT id, called FROM numbers ORDER BY id").all()
    engine.dispose()

    ok(run("db", "upgrade", "--db", url, cwd=tmp_path))

    engine = make_engine(url)
    with engine.connect() as conn:
        # later revisions add columns; every value that was there must still be there
        after = {
            name: rows_of(conn, name, {column for row in before[name] for column, _ in row})
            for name in OLD_TABLES
        }
        # revision 0004 seals stored secrets: the key is there, its secret sealed
        sealed = dict(after["access_keys"][0])["secret_key"]
        assert sealed != "sk"
        for rows in (before, after):
            rows["access_keys"] = [
                tuple(pair for pair in row if pair[0] != "secret_key")
                for row in rows["access_keys"]
            ]
        numbers_after = conn.exec_driver_sql("SELECT id, called FROM numbers ORDER BY id").all()
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert after == before
    assert numbers_after == numbers_before and len(numbers_after) == 3
    assert {"audit_log", "idempotency_keys", "legal_holds", "suppressions"} <= tables

    # the data-lifecycle interfaces work on the upgraded data: restore the old archive, erase,
    # audit
    services = Services.build(Settings(db=url))
    try:
        restored = services.deletion.restore(12, campaign_id, [990001], None, "tester", None)
        assert restored == 1
        preview = services.deletion.preview(12, campaign_id, NumberFilter(custom_field="keep"))
        assert (preview.matched, preview.deletable) == (3, 3)
        receipt = services.erasure.erase(12, "13422222222", "tester", None)
        assert receipt.removed["results"] == 1
        assert services.audit.verify().checked == 2
    finally:
        services.close()
