"""The abandon figures' query reads one range of the (campaign_id, reported_at) index per
campaign, never the whole results table, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, text

from isales.store import schema
from isales.store.engine import make_engine
from isales.store.statistics import ABANDON_COUNTS, abandon_counts

pytestmark = pytest.mark.usefixtures("backend")

NOW = datetime(2031, 5, 20)
CAMPAIGNS = 40
RESULTS = 20000


@pytest.fixture(scope="module")
def engine(db_url):
    """Results of 40 campaigns over 60 days: a third abandoned, the rest connected."""
    made = make_engine(db_url)
    rows = [
        {
            "data_id": i,
            "campaign_id": i % CAMPAIGNS,
            "vdn_id": 12,
            "call_status": "6" if i % 3 else "5",
            "fail_code": "00000" if i % 3 else "01046",
            "attempt": 1,
            "final": 1,
            "reported_at": NOW - timedelta(seconds=i * 260),
        }
        for i in range(RESULTS)
    ]
    with made.begin() as conn:
        conn.execute(insert(schema.call_results), rows)
        if made.dialect.name == "postgresql":
            conn.execute(text("ANALYZE call_results"))
    yield made
    made.dispose()


def plan(engine, since: datetime) -> str:  # type: ignore[no-untyped-def]
    query = ABANDON_COUNTS.params(campaign_ids=[7], since=since)
    compiled = query.compile(
        dialect=engine.dialect,
        compile_kwargs={"literal_binds": True, "render_postcompile": True},
    )
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        return "\n".join(str(row[-1]) for row in conn.execute(text(prefix + str(compiled))))


@pytest.mark.parametrize("window", [timedelta(days=1), timedelta(days=30)])
def test_the_query_reads_an_index_range(engine, window):
    shown = plan(engine, NOW - window)
    if engine.dialect.name == "sqlite":
        assert "USING INDEX ix_call_results_campaign_id_reported_at" in shown, shown
    else:
        assert "Index" in shown and "Seq Scan" not in shown, shown


def test_the_counts_match_the_rows(engine):
    since = NOW - timedelta(days=30)
    in_window = [i for i in range(RESULTS) if i * 260 <= 30 * 24 * 3600 and i % CAMPAIGNS == 7]
    with engine.connect() as conn:
        counts = abandon_counts(conn, [7, 999], since)
    assert counts[7] == {
        "live_answers": len(in_window),
        "abandoned": sum(1 for i in in_window if i % 3 == 0),
    }
    assert counts[999] == {"live_answers": 0, "abandoned": 0}
