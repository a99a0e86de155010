"""The live page's pace: call results reported within each span before now, one campaign
only, on SQLite and PostgreSQL (docs/console.md, "Live")."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from isales.store import schema
from isales.store.engine import make_engine
from isales.store.overview import results_reported

pytestmark = pytest.mark.usefixtures("backend")

NOW = datetime(2031, 5, 20, 12, 0, 0)
SPANS = (timedelta(minutes=1), timedelta(minutes=15))


def result(campaign_id: int, seconds_ago: int) -> dict:
    return {
        "data_id": seconds_ago,
        "campaign_id": campaign_id,
        "vdn_id": 12,
        "call_status": "5",
        "fail_code": "00603",
        "attempt": 1,
        "final": 0,
        "reported_at": NOW - timedelta(seconds=seconds_ago),
    }


@pytest.fixture
def engine(db_url):
    made = make_engine(db_url)
    yield made
    made.dispose()


def test_each_span_counts_the_results_reported_within_it(engine):
    # campaign 501: at the minute's edge (in), just past it, inside 15 min, at and past its edge
    ages = [0, 30, 60, 61, 600, 900, 901, 3600]
    with engine.begin() as conn:
        conn.execute(insert(schema.call_results), [result(501, age) for age in ages])
        conn.execute(insert(schema.call_results), [result(502, age) for age in (5, 10)])
    with engine.connect() as conn:
        assert results_reported(conn, 501, NOW, SPANS) == (3, 6)
        assert results_reported(conn, 502, NOW, SPANS) == (2, 2)
        assert results_reported(conn, 503, NOW, SPANS) == (0, 0)
