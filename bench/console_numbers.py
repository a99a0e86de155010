"""Console number search on a large campaign: keyset pages and the counts by state.

Loads TOTAL numbers into one campaign (every 50th completed, every 1,000th calling, custom
fields in 7 groups plus a rare one), then times OverviewService calls the console makes,
each the median of REPEAT runs, in milliseconds. One Markdown table row per back end.
SQLite runs without ANALYZE statistics (a default install has none); PostgreSQL after a
VACUUM ANALYZE, which autovacuum does soon after a bulk load.

    python bench/console_numbers.py                         # both back ends, 1,000,000 numbers
    python bench/console_numbers.py --backend sqlite --total 200000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from bulk_delete import Store  # noqa: E402

from isales.config import Settings  # noqa: E402
from isales.domain.states import NumberState  # noqa: E402
from isales.services import Services  # noqa: E402
from isales.store.migrate import upgrade  # noqa: E402
from isales.store.overview import NumberSearch  # noqa: E402

REPEAT = 7
STATE = """CASE WHEN x % 1000 = 0 THEN 'calling' WHEN x % 50 = 0 THEN 'completed'
                ELSE 'pending' END"""
CUSTOM = "CASE WHEN x = 777 THEN 'rare' ELSE 'group-' || (x % 7) END"
LOAD = {
    "sqlite": f"""
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < :total)
INSERT INTO numbers (campaign_id, vdn_id, session_id, called, custom_field, state, attempts,
                     next_due_at, created_at, version)
SELECT :campaign, 12, 's' || x, '138' || printf('%08d', x), {CUSTOM}, {STATE}, 0, :now, :now, 0
FROM seq""",
    "postgresql": f"""
INSERT INTO numbers (campaign_id, vdn_id, session_id, called, custom_field, state, attempts,
                     next_due_at, created_at, version)
SELECT :campaign, 12, 's' || x, '138' || lpad(x::text, 8, '0'), {CUSTOM}, {STATE}, 0, :now,
       :now, 0
FROM generate_series(1, :total) AS x""",
}


def median_ms(call: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(backend: str, total: int) -> str:
    with tempfile.TemporaryDirectory() as workdir:
        store = Store(backend, Path(workdir))
        try:
            services = Services.build(Settings(db=store.url))
            upgrade(services.store.engine)
            now = datetime.now(UTC).replace(tzinfo=None)
            with services.store.write() as conn:
                campaign_id = conn.execute(
                    text(
                        "INSERT INTO campaigns (vdn_id, name, status, begin_time, end_time, "
                        "device_type, caller_no, max_alerting_time, schedule_param, api_version,"
                        " created_at, updated_at) VALUES (12, 'bench', 3, :now, :end, 2, "
                        "'\"10086\"', 30, '{}', 1, :now, :now) RETURNING id"
                    ),
                    {"now": now, "end": now + timedelta(days=30)},
                ).scalar_one()
                conn.execute(
                    text(LOAD[backend]), {"campaign": campaign_id, "total": total, "now": now}
                )
            if backend == "postgresql":
                # what autovacuum does soon after a bulk load: statistics and visibility map
                admin = services.store.engine.execution_options(isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    conn.execute(text("VACUUM ANALYZE numbers"))
            overview = services.overview
            last = total - 100

            def page(search: NumberSearch, after: int = 0) -> Callable[[], object]:
                return lambda: overview.search_numbers(12, campaign_id, search, after, 51)

            figures = [
                median_ms(page(NumberSearch())),
                median_ms(page(NumberSearch(), after=last)),
                median_ms(page(NumberSearch(called=f"138{total // 2:08d}"))),
                median_ms(page(NumberSearch(custom_field="rare"))),
                median_ms(page(NumberSearch(custom_field="group-3"), after=last)),
                median_ms(page(NumberSearch(state=NumberState.CALLING))),
                median_ms(page(NumberSearch(state=NumberState.COMPLETED), after=last)),
                median_ms(lambda: overview.campaign(12, campaign_id)),
            ]
            services.close()
        finally:
            store.drop()
    cells = " | ".join(f"{ms:.1f}" for ms in figures)
    return f"| {backend} | {total:,} | {cells} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    parser.add_argument("--total", type=int, default=1_000_000)
    args = parser.parse_args()
    print(
        "| store | numbers | first page | last page | called | rare custom field | "
        "custom field, last page | state calling | state completed, last page | "
        "campaign header (counts by state) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend in args.backend or ["sqlite", "postgresql"]:
        print(run(backend, args.total), flush=True)


if __name__ == "__main__":
    main()
