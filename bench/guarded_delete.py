"""Guarded delete benchmark: preview + ``expectedCount`` against a plain delete
(docs/performance.md, "Guarded delete").

Builds a campaign of TOTAL numbers, BATCH of which carry customField "target" (the data
of bench/bulk_delete.py), copies the store, then deletes that batch with archiveHistory 1
through a real `isales serve` process, once per copy:

* plain: the delete request alone;
* guarded: a delete preview of the same body, then the delete with
  ``expectedCount`` = the preview's ``deletable`` (what a careful client does).

Prints one Markdown table row per back end and round: both times and their ratio
(the goal is at most 1.2), then the median ratio. Rounds alternate which copy goes first.

    python bench/guarded_delete.py                       # both back ends, 1,000,000 / 100,000
    python bench/guarded_delete.py --backend sqlite --total 200000 --batch 20000 --rounds 3
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
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from isales.client import IsalesClient
from isales.clock import system_clock
from isales.config import Settings
from isales.services import Services
from isales.store.migrate import upgrade

PG_ADMIN = os.environ.get("ISALES_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

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
BODY = {"customField": "target", "archiveHistory": 1}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stores:
    """The built store and its copies (SQLite files or PostgreSQL template copies)."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend, self.workdir = backend, workdir
        self.created: list[str] = []
        self.url = f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else self._pg()

    def _admin(self):  # type: ignore[no-untyped-def]
        return create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")

    def _pg(self, template: str | None = None) -> str:
        name = f"isales_bench_{uuid.uuid4().hex[:8]}"
        admin = self._admin()
        with admin.connect() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        admin.dispose()
        self.created.append(name)
        return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)

    def copy(self, label: str) -> str:
        if self.backend == "postgresql":
            return self._pg(template=make_url(self.url).database)
        engine = create_engine(self.url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        target = self.workdir / f"{label}.db"
        shutil.copy(self.workdir / "bench.db", target)
        return f"sqlite:///{target}"

    def drop(self) -> None:
        if not self.created:
            return
        admin = self._admin()
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build(stores: Stores, total: int, batch: int) -> tuple[int, str, str]:
    """Migrate, create a key and a paused campaign, load the numbers. Returns (id, AK, SK)."""
    services = Services.build(Settings(db=stores.url))
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
    load = LOAD_SQLITE if stores.backend == "sqlite" else LOAD_PG
    with services.store.write() as conn:
        conn.execute(
            text(load),
            {"total": total, "every": total // batch, "campaign": campaign_id, "now": now},
        )
    if stores.backend == "postgresql":  # what autovacuum would have done by now
        with services.store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE numbers"
            )
    services.close()
    return campaign_id, key.access_key, key.secret_key


def serve(url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "isales", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def timed_delete(
    url: str, campaign_id: int, ak: str, sk: str, guarded: bool, batch: int
) -> tuple[float, float]:
    """(seconds of the whole sequence, seconds of its preview)."""
    process, base = serve(url)
    path = f"/rest/isales/v1/openapi/campaigns/12/calldata/{campaign_id}/delete"
    try:
        with IsalesClient(base, ak, sk, timeout=600) as client:
            warm = client.post(path, json={"customField": "nothing-matches"}).json()
            assert warm["resultCode"] == "0200000", warm
            started = time.perf_counter()
            body = dict(BODY)
            if guarded:
                preview = client.post(path + "/preview", json=BODY).json()
                assert preview["deletable"] == batch, preview
                body["expectedCount"] = preview["deletable"]
            previewed = time.perf_counter() - started
            answer = client.post(path, json=body).json()
            elapsed = time.perf_counter() - started
        assert (answer["resultCode"], answer["successCount"]) == ("0200000", batch), answer
        return elapsed, previewed
    finally:
        process.terminate()
        process.wait(timeout=30)


def run(backend: str, total: int, batch: int, rounds: int) -> list[str]:
    workdir = Path(tempfile.mkdtemp(prefix="isales-bench-"))
    stores = Stores(backend, workdir)
    lines: list[str] = []
    ratios: list[float] = []
    try:
        campaign_id, ak, sk = build(stores, total, batch)
        for round_ in range(rounds):
            order = [False, True] if round_ % 2 == 0 else [True, False]
            times = {}
            for guarded in order:
                url = stores.copy(f"r{round_}-{'guarded' if guarded else 'plain'}")
                times[guarded] = timed_delete(url, campaign_id, ak, sk, guarded, batch)
                if backend == "sqlite":
                    Path(make_url(url).database).unlink()
            (plain, _), (guarded_s, preview_s) = times[False], times[True]
            ratios.append(guarded_s / plain)
            lines.append(
                f"| {backend} | {total:,} | {batch:,} | {plain:.2f} s | {guarded_s:.2f} s "
                f"(preview {preview_s:.2f} s) | {guarded_s / plain:.2f} |"
            )
    finally:
        stores.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    lines.append(
        f"| {backend} | median of {rounds} rounds | | | | {statistics.median(ratios):.2f} |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.total % args.batch:
        parser.error("--total must be a multiple of --batch")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print("| store | numbers | deleted | plain delete | preview + guarded delete | ratio |")
    print("|---|---|---|---|---|---|")
    for backend in backends:
        for line in run(backend, args.total, args.batch, args.rounds):
            print(line, flush=True)


if __name__ == "__main__":
    main()
