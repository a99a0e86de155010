"""P4 and P5: adding numbers (v1, 20 per call).

P4: numbers added per second by 4 clients through ``POST …/calldata/{id}`` against the raw
    floor: one driver connection inserting the same rows in 20-row transactions (sqlite3
    ``executemany``, psycopg 3 ``executemany``; no SQLAlchemy), on a copy of the store,
    interleaved with the project's segments, each segment after a checkpoint.
P5: the add rate into a campaign already holding ``--big`` (default 1,000,000) uncompleted
    numbers against the rate into an empty one, interleaved.

    python bench/adds.py --backend sqlite            # or postgresql
"""

from __future__ import annotations

import argparse
import itertools
import os
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import (  # noqa: E402
    VDN,
    BenchStore,
    Server,
    Signer,
    campaign_columns,
    hammer,
    load_numbers,
    median,
    prepare,
)

BATCH = 20
_serial = itertools.count()


def add(signer: Signer, index: int, args: dict) -> int:
    base = (os.getpid() % 1000) * 10_000_000 + next(_serial) * BATCH
    records = [{"called": f"9{base + i:011d}"} for i in range(BATCH)]
    answer = signer.call(
        "POST",
        f"/rest/isales/v1/openapi/campaigns/{VDN}/calldata/{args['campaign']}",
        {"callDataList": records},
    )
    assert answer["resultCode"] == "0200000", answer
    return BATCH


COLUMNS = ("campaign_id", "vdn_id", "called", "state", "attempts", "next_due_at", "created_at")


def settle(url: str) -> None:
    """Write the store's dirty pages out before a segment, so no segment pays for the one
    before it: copying a 1,000,000-number store (the floor's copy) leaves PostgreSQL
    flushing for seconds, and a floor measured then ran at a fifteenth of its rate."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if url.startswith("sqlite"):
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                conn.exec_driver_sql("CHECKPOINT")
    finally:
        engine.dispose()


def raw_floor(url: str, campaign_id: int, seconds: float, start: int) -> float:
    """Numbers per second inserted in 20-row transactions by one driver connection:
    sqlite3 ``executemany``, or psycopg 3 ``executemany`` (pipelined, prepared after a few
    runs), without SQLAlchemy in between."""
    sqlite = url.startswith("sqlite")
    marks = ", ".join(["?" if sqlite else "%s"] * len(COLUMNS))
    sql = f"INSERT INTO numbers ({', '.join(COLUMNS)}) VALUES ({marks})"
    now = datetime.now(UTC).replace(tzinfo=None)
    if sqlite:  # the store's own connection settings (engine.py)
        raw: Any = sqlite3.connect(make_url(url).database, isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
    else:
        parsed = make_url(url)
        raw = psycopg.connect(
            host=parsed.host,
            port=parsed.port,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database,
        )
    done = 0
    try:
        cursor = raw.cursor()
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        while time.monotonic() < deadline:
            rows = [
                (campaign_id, VDN, f"8{start + done + i:011d}", "pending", 0, now, now)
                for i in range(BATCH)
            ]
            if sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(sql, rows)
            if sqlite:
                cursor.execute("COMMIT")
            else:
                raw.commit()
            done += BATCH
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    os.environ["ISALES_MAX_UNCOMPLETED_PER_CAMPAIGN"] = str(args.big * 2)
    store = BenchStore(args.backend, Path(tempfile.mkdtemp(prefix="isales-bench-")))
    try:
        services = prepare(store.url)
        keys = [services.access.create_key([VDN]) for _ in range(4)]
        ids = {
            name: services.campaigns.create(
                VDN, campaign_columns(name), init_status=1, api_version=1
            )
            for name in ("empty", "big", "floor")
        }
        seconds = load_numbers(services, ids["big"], args.big)
        print(f"# {args.backend}: loaded {args.big:,} numbers in {seconds:.0f} s", file=sys.stderr)
        services.close()
        floor_url = store.copy()
        pairs = [(k.access_key, k.secret_key) for k in keys]
        floor: list[float] = []
        empty: list[tuple[float, float]] = []
        big: list[tuple[float, float]] = []
        peaks = []
        for round_ in range(args.rounds):
            server = Server.isales(store.url)
            try:
                hammer(server, add, pairs, {"campaign": ids["floor"]}, 1)  # warm up
                segments = ["floor", "empty", "big"]
                shift = round_ % len(segments)  # each segment takes each place in turn
                for name in segments[shift:] + segments[:shift]:
                    settle(floor_url if name == "floor" else store.url)
                    if name == "floor":
                        start = (round_ + 1) * 10_000_000
                        floor.append(raw_floor(floor_url, ids["floor"], args.seconds, start))
                    else:
                        rate = hammer(server, add, pairs, {"campaign": ids[name]}, args.seconds)
                        (empty if name == "empty" else big).append(rate)
                peaks.append(server.peak_rss_mb())
            finally:
                server.stop()
        empty_rate = median([r for r, _ in empty])
        big_rate = median([r for r, _ in big])
        floor_rate = median(floor)
        print(
            f"| P4 | {args.backend} | v1 add, 20 per call, numbers/s vs raw 20-row "
            f"transactions | {empty_rate:,.0f} vs {floor_rate:,.0f} | "
            f"{empty_rate / floor_rate:.2f} | ≥ 0.5 |\n"
            f"| P5 | {args.backend} | add into {args.big:,} numbers vs into an empty campaign | "
            f"{big_rate:,.0f} vs {empty_rate:,.0f} numbers/s | {big_rate / empty_rate:.2f} "
            f"| ≥ 0.8 |\n"
            f"# peak RSS {max(peaks):.0f} MB",
            flush=True,
        )
    finally:
        store.drop()


if __name__ == "__main__":
    main()
