"""Bulk delete benchmark (docs/performance.md, "Bulk delete").

Builds a campaign of TOTAL numbers, BATCH of which carry customField "target", then
deletes that batch with archiveHistory 1 in ONE signed request to a real `isales serve`
process. Two floors are measured in the same run, on the same data:

* raw SQL: the same archive-and-delete done directly on a copy of the store
  (PostgreSQL: one data-modifying CTE; SQLite: INSERT ... SELECT then DELETE in one
  BEGIN IMMEDIATE transaction);
* no-op: the same server answering the same interface with a filter that matches nothing.

Prints one Markdown table row per back end: request time, raw-SQL time, their ratio,
the no-op request time, and the server's peak resident memory before and after.

    python bench/bulk_delete.py                       # both back ends, 1,000,000 / 100,000
    python bench/bulk_delete.py --backend sqlite --total 200000 --batch 20000
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from isales.client import IsalesClient
from isales.clock import system_clock
from isales.config import Settings
from isales.services import Services
from isales.store.migrate import upgrade
from isales.store.schema import NUMBER_COPY_COLUMNS

PG_ADMIN = os.environ.get("ISALES_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
COLUMNS = ", ".join(NUMBER_COPY_COLUMNS)

LOAD_SQLITE = """
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < :total)
INSERT INTO numbers (campaign_id, vdn_id, session_id, called, custom_field, call_data, state,
                     attempts, next_due_at, created_at, version)
SELECT :campaign, 12, 's' || x, '138' || printf('%08d', x),
       CASE WHEN x % :every = 0 THEN 'target' ELSE 'other-' || (x % 7) END,
       '{"order":' || x || '}', 'pending', 0, :now, :now, 0
FROM seq
"""
LOAD_PG = """
INSERT INTO numbers (campaign_id, vdn_id, session_id, called, custom_field, call_data, state,
                     attempts, next_due_at, created_at, version)
SELECT :campaign, 12, 's' || x, '138' || lpad(x::text, 8, '0'),
       CASE WHEN x % :every = 0 THEN 'target' ELSE 'other-' || (x % 7) END,
       '{"order":' || x || '}', 'pending', 0, :now, :now, 0
FROM generate_series(1, :total) AS x
"""
# The floor is the best hand-written SQL: on SQLite, unary + keeps the planner on the
# customField index (the store has no ANALYZE statistics, as a default install has none).
WHERE_SQLITE = "campaign_id = :campaign AND custom_field = 'target' AND +state = 'pending'"
WHERE_PG = "campaign_id = :campaign AND custom_field = 'target' AND state = 'pending'"
FLOOR_SQLITE = [
    f"INSERT INTO number_history ({COLUMNS}, archived_at, archived_by, request_id, reason) "
    f"SELECT {COLUMNS}, :now, 'raw', 'raw', 'number-delete' FROM numbers WHERE {WHERE_SQLITE}",
    f"DELETE FROM numbers WHERE {WHERE_SQLITE}",
]
FLOOR_PG = [
    f"WITH moved AS (DELETE FROM numbers WHERE {WHERE_PG} RETURNING {COLUMNS}) "
    f"INSERT INTO number_history ({COLUMNS}, archived_at, archived_by, request_id, reason) "
    f"SELECT {COLUMNS}, :now, 'raw', 'raw', 'number-delete' FROM moved",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Store:
    """A benchmark store and a byte-identical copy for the raw-SQL floor."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.created: list[str] = []
        if backend == "sqlite":
            self.url = f"sqlite:///{workdir / 'bench.db'}"
        else:
            self.url = self._new_pg_database()

    def _admin(self):  # type: ignore[no-untyped-def]
        return create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")

    def _new_pg_database(self, template: str | None = None) -> str:
        name = f"isales_bench_{uuid.uuid4().hex[:8]}"
        admin = self._admin()
        with admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        admin.dispose()
        self.created.append(name)
        return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

    def copy(self) -> str:
        if self.backend == "sqlite":
            engine = create_engine(self.url)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            target = self.workdir / "floor.db"
            shutil.copy(self.workdir / "bench.db", target)
            return f"sqlite:///{target}"
        return self._new_pg_database(template=make_url(self.url).database)

    def drop(self) -> None:
        if not self.created:
            return
        admin = self._admin()
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build(store: Store, total: int, batch: int) -> tuple[int, str, str]:
    """Migrate, create a key and a paused campaign, load the numbers. Returns (id, AK, SK)."""
    settings = Settings(db=store.url)
    services = Services.build(settings)
    upgrade(services.store.engine)
    key = services.access.create_key([12])
    now = system_clock()
    columns = {
        "name": "bench",
        "description": None,
        "begin_time": now.replace(hour=0, minute=0, second=0),
        "end_time": now + timedelta(days=30),
        "device_type": 2,
        "caller_no": "10086",
        "max_alerting_time": 30,
        "priority": None,
        "schedule_param": {},
        "ivr_param": None,
        "skill_param": {"skillId": 1},
        "retry_policy": None,
        "call_policy": None,
        "call_back_url": None,
    }
    campaign_id = services.campaigns.create(12, columns, init_status=1, api_version=1)
    load = LOAD_SQLITE if store.backend == "sqlite" else LOAD_PG
    started = time.perf_counter()
    with services.store.write() as conn:
        conn.execute(
            text(load),
            {"total": total, "every": total // batch, "campaign": campaign_id, "now": now},
        )
    if store.backend == "postgresql":  # what autovacuum would have done by now
        with services.store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE numbers"
            )
    print(
        f"# {store.backend}: loaded {total:,} numbers in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    services.close()
    return campaign_id, key.access_key, key.secret_key


def raw_sql_floor(url: str, backend: str, campaign_id: int) -> tuple[float, int]:
    engine = create_engine(url)
    statements = FLOOR_SQLITE if backend == "sqlite" else FLOOR_PG
    params = {"campaign": campaign_id, "now": datetime.now(UTC).replace(tzinfo=None)}
    with engine.connect() as conn:
        started = time.perf_counter()
        if backend == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        moved = [conn.execute(text(sql), params).rowcount for sql in statements]
        conn.commit()
        elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, moved[0]


def serve(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "isales", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, base
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def run(backend: str, total: int, batch: int) -> str:
    workdir = Path(tempfile.mkdtemp(prefix="isales-bench-"))
    store = Store(backend, workdir)
    try:
        campaign_id, ak, sk = build(store, total, batch)
        floor_url = store.copy()
        floor_s, floor_moved = raw_sql_floor(floor_url, backend, campaign_id)
        process, base = serve(store.url)
        try:
            path = f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}/delete"
            with IsalesClient(base, ak, sk, timeout=600) as client:
                noop = []
                for _ in range(21):
                    started = time.perf_counter()
                    answer = client.post(path, json={"customField": "nothing-matches"}).json()
                    noop.append(time.perf_counter() - started)
                    assert answer["resultCode"] == "0200000" and answer["successCount"] == 0, answer
                rss_before = peak_rss_mb(process.pid)
                started = time.perf_counter()
                answer = client.post(
                    path, json={"customField": "target", "archiveHistory": 1}
                ).json()
                request_s = time.perf_counter() - started
                rss_after = peak_rss_mb(process.pid)
            assert answer["resultCode"] == "0200000", answer
            assert answer["successCount"] == floor_moved == batch, (answer, floor_moved)
        finally:
            process.terminate()
            process.wait(timeout=30)
        noop_ms = statistics.median(noop) * 1000
        return (
            f"| {backend} | {total:,} | {batch:,} | {request_s:.2f} s | {floor_s:.2f} s | "
            f"{request_s / floor_s:.2f} | {noop_ms:.1f} ms | "
            f"{rss_before:.0f} → {rss_after:.0f} MB |"
        )
    finally:
        store.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    args = parser.parse_args()
    if args.total % args.batch:
        parser.error("--total must be a multiple of --batch")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print("| store | numbers | deleted | request | raw SQL | ratio | no-op request | peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for backend in backends:
        print(run(backend, args.total, args.batch), flush=True)


if __name__ == "__main__":
    main()
