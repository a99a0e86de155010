"""P6: file import of ``--rows`` numbers (default 200,000) against the raw floor; P10: the
server's peak RSS (VmHWM) over the run (``--rows 500000``).

The project: one signed upload of a CSV file (``calldatafile/upload``) to a real server,
timed until the background runner marks the task finished (every row checked by the
add's field rules, duplicates, blacklist and cap, in 1,000-row transactions).
The floor, on a copy of the store: the same file read with ``csv`` and written in one
transaction — SQLite ``executemany``, PostgreSQL ``COPY`` (psycopg ``cursor.copy``).

    python bench/imports.py --backend sqlite         # or postgresql; --rows 500000 for P10
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.common import VDN, BenchStore, Server, Signer, campaign_columns, prepare  # noqa: E402

COLUMNS = (
    "campaign_id",
    "vdn_id",
    "called",
    "custom_field",
    "state",
    "attempts",
    "next_due_at",
    "created_at",
)


def number_file(rows: int) -> bytes:
    lines = ["called,customField", *(f"7{i:011d},batch-{i % 10}" for i in range(rows))]
    return ("\n".join(lines) + "\n").encode()


def raw_floor(url: str, campaign_id: int, content: bytes) -> float:
    now = datetime.now(UTC).replace(tzinfo=None)
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        reader = csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig"))
        next(reader)
        rows = (
            (campaign_id, VDN, called, field, "pending", 0, now, now) for called, field in reader
        )
        cursor = raw.cursor()
        if url.startswith("sqlite"):  # the store's own connection settings (engine.py)
            raw.driver_connection.isolation_level = None
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("BEGIN IMMEDIATE")
            marks = ", ".join("?" * len(COLUMNS))
            cursor.executemany(f"INSERT INTO numbers ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
            cursor.execute("COMMIT")
        else:
            with cursor.copy(f"COPY numbers ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()


def project(
    store_url: str, server: Server, key: tuple[str, str], campaign_id: int, content: bytes
) -> float:
    signer = Signer(server.port, *key)
    engine = create_engine(store_url)
    started = time.perf_counter()
    answer = signer.call(
        "POST",
        f"/rest/isales/v1/openapi/campaigns/{VDN}/calldatafile/upload/{campaign_id}",
        {"fileName": "numbers.csv", "fileContent": base64.b64encode(content).decode()},
    )
    assert answer["resultCode"] == "0200000", answer
    task_id = answer["returnObject"]["taskId"]
    query = text("SELECT status, success_rows FROM import_tasks WHERE id = :id")
    while True:
        with engine.connect() as conn:
            status, done = conn.execute(query, {"id": task_id}).one()
        if status not in ("pending", "running"):
            break
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    engine.dispose()
    assert status == "finished", status
    return elapsed, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    os.environ["ISALES_MAX_UNCOMPLETED_PER_CAMPAIGN"] = str(args.rows * 2)
    store = BenchStore(args.backend, Path(tempfile.mkdtemp(prefix="isales-bench-")))
    try:
        services = prepare(store.url)
        key = services.access.create_key([VDN])
        campaign_id = services.campaigns.create(
            VDN, campaign_columns("import"), init_status=1, api_version=1
        )
        services.close()
        content = number_file(args.rows)
        floor_url = store.copy()
        floor_s = raw_floor(floor_url, campaign_id, content)
        server = Server.isales(store.url)
        try:
            project_s, imported = project(
                store.url, server, (key.access_key, key.secret_key), campaign_id, content
            )
            peak = server.peak_rss_mb()
        finally:
            server.stop()
        assert imported == args.rows, imported
        print(
            f"| P6 | {args.backend} | CSV import, {args.rows:,} rows, rows/s | "
            f"{args.rows / project_s:,.0f} vs {args.rows / floor_s:,.0f} "
            f"({project_s:.1f} s vs {floor_s:.1f} s) | {floor_s / project_s:.2f} | ≥ 0.5 |\n"
            f"| P10 | {args.backend} | server peak RSS (VmHWM), upload and import of "
            f"{args.rows:,} rows | {peak:.0f} MiB | — | ≤ 150 MiB |",
            flush=True,
        )
    finally:
        store.drop()


if __name__ == "__main__":
    main()
