"""A store at revision 0004 upgrades to the telephony detail column (0009) with its results
kept; an old result then shows no detail, a new one shows it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert, inspect

from isales.config import Settings
from isales.services import Services
from isales.store import schema
from isales.store.engine import make_engine
from isales.store.migrate import upgrade
from isales.store.numbers import insert_result
from isales.wire.schemas.results import wire_detail
from tests.empty_store import empty_store
from tests.support.processes import ok, run

pytestmark = pytest.mark.usefixtures("backend")

NOW = datetime(2026, 12, 1, 8, 0, 0)
OLD = {
    "data_id": 990002,
    "vdn_id": 12,
    "called": "13422222222",
    "call_id": "old-call",
    "call_status": "5",
    "fail_code": "00537",
    "attempt": 1,
    "final": 1,
    "reported_at": NOW,
}


def _old_columns():  # type: ignore[no-untyped-def]
    """The results as revision 0004 has them (no telephony column yet)."""
    from sqlalchemy import select

    return select(*(c for c in schema.call_results.c if c.name != "telephony"))


def test_a_0004_store_keeps_its_results_and_gains_the_detail(backend, tmp_path):
    with empty_store(backend, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0004")
        columns = {c["name"] for c in inspect(engine).get_columns("call_results")}
        assert "telephony" not in columns
        with engine.begin() as conn:
            conn.execute(insert(schema.call_results).values(campaign_id=7, **OLD))
            before = [dict(r) for r in conn.execute(_old_columns()).mappings()]
        engine.dispose()

        ok(run("db", "upgrade", "--db", url, cwd=tmp_path))

        engine = make_engine(url)
        with engine.begin() as conn:
            after = [dict(r) for r in conn.execute(schema.call_results.select()).mappings()]
            detail = {"sipCode": 486, "q850Cause": 17, "ringMs": 700, "talkMs": 0}
            insert_result(
                conn, {**OLD, "campaign_id": 7, "call_id": "new-call", "telephony": detail}
            )
        engine.dispose()
        assert [{k: v for k, v in row.items() if k != "telephony"} for row in after] == before
        assert after[0]["telephony"] is None

        services = Services.build(Settings(db=url))
        try:
            old = wire_detail(services.results.detail(12, "old-call"))
            new = wire_detail(services.results.detail(12, "new-call"))
        finally:
            services.close()
        assert "sipCode" not in old and old["failCode"] == "00537"
        assert {k: new[k] for k in detail} == detail
