"""The PostgreSQL the tests use; empty (never migrated) stores; a store made to refuse;
a campaign filled with numbers straight through the store.

An empty store is a new SQLite file, or a new PostgreSQL database dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from isales.services import Services, campaign_numbers
from isales.services.numbers import new_number
from isales.store import campaigns as campaign_store
from isales.store import numbers as number_store
from tests.support.api import execute_sql


@contextmanager
def empty_store(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / f'empty-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"isales_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


# read once and removed, so the `isales` processes the tests start see no stray ISALES_*
# variable (they refuse unknown ones); handed on under a name of no ISALES_ prefix, so the
# worker processes of a parallel run (pytest -n, started after this module is imported in
# the controlling process) test the same PostgreSQL
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
_HANDED_ON = "TESTS_PG_URL"
_TEST_PG = os.environ.pop("ISALES_TEST_PG", None) or os.environ.get(_HANDED_ON, DEFAULT_PG)
os.environ[_HANDED_ON] = _TEST_PG


def pg_admin_url() -> str:
    return _TEST_PG


def refuse(server, backend: str, table: str, operation: str) -> None:
    name = f"refuse_{table}_{operation.lower()}"
    if backend == "sqlite":
        execute_sql(
            server.services,
            f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END",
        )
    else:
        execute_sql(
            server.services,
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
        )
        execute_sql(
            server.services,
            f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        )


def fill_campaign(services: Services, campaign_id: int, count: int, custom_field: str) -> None:
    """Insert ``count`` numbers into a campaign of VDN 12 in one transaction, past the API
    (tens of thousands in a second or two, for tests that need a long-running delete)."""
    now = datetime.now()
    zones = services.settings.zone_table
    with services.store.write() as conn:
        campaign = campaign_store.get_campaign(conn, 12, campaign_id)
        assert campaign is not None, campaign_id
        keying = campaign_numbers.keying(conn, 12, campaign, zones)
        records = [
            new_number(
                {"called": f"1{campaign_id:04d}{n:06d}", "custom_field": custom_field},
                campaign_id,
                12,
                now,
                zones,
                keying,
            )
            for n in range(count)
        ]
        number_store.insert_numbers(conn, records)
