"""Claim latency with and without calling hours in each number's own time zone
(docs/performance.md, "Claims in each number's local time"): the goal is a claim cost
within 1.5× of the plain claim's at 1,000,000 numbers.

Builds one executing campaign of TOTAL numbers spread over three fixed-offset zones
(``Etc/GMT``, ``Etc/GMT-8``, ``Etc/GMT+8``: no daylight saving to blur the windows), then
claims BATCH numbers at a time (due times spread over the past hour, as imports in
chunks leave them) through ``DialerService.claim`` (the code behind ``callnos``)
in alternating rounds: the campaign as it is (its windows in the server's zone) and with
``scheduleParam.calleeLocalTime`` 1 (60 rounds of 2 claims each, so the load of a shared
machine hits both alike). Three layouts:

* ``all-open``: zones take turns by id, every window open (the claim needs no filter);
* ``one-closed``: zones take turns by id, the window of ``Etc/GMT+8`` is closed now;
* ``closed-first``: the first third of the due order is in ``Etc/GMT+8``, closed now (the
  claim must skip it), the rest alternate between the two open zones.

Prints one Markdown row per back end and layout: median claim time without and with the
option, and their ratio.

    python bench/local_time_claims.py                    # both back ends, 1,000,000 numbers
    python bench/local_time_claims.py --backend sqlite --total 200000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from bulk_delete import Store
from sqlalchemy import text, update

from isales.clock import system_clock
from isales.config import Settings
from isales.services import Services
from isales.store.migrate import upgrade
from isales.store.schema import campaigns

ZONES = ("Etc/GMT", "Etc/GMT-8", "Etc/GMT+8")  # UTC, UTC+8, UTC-8 (POSIX signs)

LOAD_SQLITE = """
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < :total)
INSERT INTO numbers (campaign_id, vdn_id, called, state, attempts, next_due_at, created_at,
                     version, time_zone)
SELECT :campaign, 12, '138' || printf('%08d', x), 'pending', 0,
       datetime(:now, '+' || (x / 1000) || ' seconds'), :now, 0,
       CASE WHEN :blocked AND x <= :total / 3 THEN 'Etc/GMT+8'
            WHEN :blocked THEN CASE x % 2 WHEN 0 THEN 'Etc/GMT' ELSE 'Etc/GMT-8' END
            ELSE CASE x % 3 WHEN 0 THEN 'Etc/GMT' WHEN 1 THEN 'Etc/GMT-8' ELSE 'Etc/GMT+8' END
       END
FROM seq
"""
LOAD_PG = """
INSERT INTO numbers (campaign_id, vdn_id, called, state, attempts, next_due_at, created_at,
                     version, time_zone)
SELECT :campaign, 12, '138' || lpad(x::text, 8, '0'), 'pending', 0,
       :now + (x / 1000) * interval '1 second', :now, 0,
       CASE WHEN :blocked AND x <= :total / 3 THEN 'Etc/GMT+8'
            WHEN :blocked THEN CASE x % 2 WHEN 0 THEN 'Etc/GMT' ELSE 'Etc/GMT-8' END
            ELSE CASE x % 3 WHEN 0 THEN 'Etc/GMT' WHEN 1 THEN 'Etc/GMT-8' ELSE 'Etc/GMT+8' END
       END
FROM generate_series(1, :total) AS x
"""


LAYOUTS = ("all-open", "one-closed", "closed-first")


def windows(layout: str, now: datetime) -> dict[str, str]:
    if layout == "all-open":
        return {
            "workdayBeginTime1": "00:00",
            "workdayEndTime1": "23:59",
            "holidayBeginTime1": "00:00",
            "holidayEndTime1": "23:59",
        }
    # open in UTC (hour h) and UTC+8 (hour h+8); closed in UTC-8 (hour h-8)
    h, h8 = now.hour, (now.hour + 8) % 24
    slots = sorted([(f"{h:02d}:00", f"{h:02d}:59"), (f"{h8:02d}:00", f"{h8:02d}:59")])
    schedule = {}
    for kind in ("workday", "holiday"):
        for n, (begin, end) in enumerate(slots, start=1):
            schedule[f"{kind}BeginTime{n}"] = begin
            schedule[f"{kind}EndTime{n}"] = end
    return schedule


def build(store: Store, total: int, layout: str) -> tuple[Services, int, dict[str, str]]:
    services = Services.build(Settings(db=store.url, lease_seconds=86_400))
    upgrade(services.store.engine)
    now = system_clock()
    schedule = windows(layout, now)
    columns = {
        "name": "bench",
        "description": None,
        "begin_time": now.replace(hour=0, minute=0, second=0),
        "end_time": now + timedelta(days=30),
        "device_type": 2,
        "caller_no": "10086",
        "max_alerting_time": 30,
        "priority": None,
        "schedule_param": schedule,
        "ivr_param": None,
        "skill_param": {"skillId": 1},
        "retry_policy": None,
        "call_policy": None,
        "call_back_url": None,
    }
    campaign_id = services.campaigns.create(12, columns, init_status=0, api_version=1)
    load = LOAD_SQLITE if store.backend == "sqlite" else LOAD_PG
    started = time.perf_counter()
    with services.store.write() as conn:
        conn.execute(
            text(load),
            {
                "total": total,
                "campaign": campaign_id,
                "now": now - timedelta(hours=1),
                "blocked": layout == "closed-first",
            },
        )
    if store.backend == "postgresql":
        with services.store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE numbers"
            )
    print(
        f"# {store.backend}/{layout}: loaded {total:,} in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return services, campaign_id, schedule


def set_option(services: Services, campaign_id: int, schedule: dict, on: bool) -> None:
    with services.store.write() as conn:
        conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id)
            .values(schedule_param={**schedule, "calleeLocalTime": int(on)})
        )


def run(backend: str, layout: str, total: int, batch: int, rounds: int, claims: int) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="isales-bench-"))
    store = Store(backend, workdir)
    try:
        services, campaign_id, schedule = build(store, total, layout)
        timings: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(rounds):
            for option in (False, True):
                set_option(services, campaign_id, schedule, option)
                for _ in range(claims):
                    started = time.perf_counter()
                    claim = services.dialer.claim(12, campaign_id, "bench", batch)
                    timings[option].append(time.perf_counter() - started)
                    assert claim is not None and len(claim.numbers) == batch, "nothing claimed"
                    if option and layout != "all-open":
                        assert all(n["time_zone"] != "Etc/GMT+8" for n in claim.numbers)
        services.close()
        plain = statistics.median(timings[False]) * 1000
        local = statistics.median(timings[True]) * 1000
        return (
            f"| {backend} | {layout} | {total:,} | {batch} | {plain:.2f} ms | "
            f"{local:.2f} ms | {local / plain:.2f} |"
        )
    finally:
        store.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--layout", choices=[*LAYOUTS, "all"], default="all")
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--claims", type=int, default=2, help="claims per round and mode")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    layouts = list(LAYOUTS) if args.layout == "all" else [args.layout]
    print(
        "| store | layout | numbers | batch | claim, windows in server zone | "
        "claim, calleeLocalTime | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for backend in backends:
        for layout in layouts:
            print(
                run(backend, layout, args.total, args.batch, args.rounds, args.claims), flush=True
            )


if __name__ == "__main__":
    main()
