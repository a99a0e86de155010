"""What the benchmarks share: throw-away stores, server processes, signed load, process figures.

Every benchmark builds its own data (with SQL where the API's per-call limits would make
loading slow), runs the floor and the project in the same run, interleaved, and prints
ratios, so the figures tolerate a loaded machine. PostgreSQL: ``ISALES_BENCH_PG`` (default
the local server, database ``test``); each run works in databases of its own.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from isales import signing
from isales.client import NONCE_HEADER
from isales.clock import system_clock
from isales.config import Settings
from isales.services import Services
from isales.store.migrate import upgrade

PG_ADMIN = os.environ.get("ISALES_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
#: benchmark stores are throw-away: one fixed master key seals their secrets (a PostgreSQL
#: store needs one; the servers started here inherit it)
os.environ.setdefault("ISALES_MASTER_KEY", "YmVuY2gtbWFzdGVyLWtleS0wMDAwMDAwMDAwMDAwMDA=")
ROOT = Path(__file__).resolve().parent.parent
VDN = 12
JSON_TYPE = "application/json; charset=UTF-8"


class BenchStore:
    """A benchmark store (SQLite file or PostgreSQL database), copies of it, and clean-up."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.created: list[str] = []
        self.url = (
            f"sqlite:///{workdir / 'bench.db'}" if backend == "sqlite" else self._new_pg_database()
        )

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

    def copy(self, label: str = "floor") -> str:
        """A byte-identical copy (same schema, triggers, data) for a floor to work on."""
        if self.backend == "sqlite":
            engine = create_engine(self.url)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            target = self.workdir / f"{label}.db"
            shutil.copy(self.workdir / "bench.db", target)
            return f"sqlite:///{target}"
        return self._new_pg_database(template=make_url(self.url).database)

    def drop(self) -> None:
        if self.created:
            admin = self._admin()
            with admin.connect() as conn:
                for name in reversed(self.created):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(self.workdir, ignore_errors=True)


def campaign_columns(name: str) -> dict[str, Any]:
    now = system_clock()
    return {
        "name": name,
        "description": None,
        "begin_time": now.replace(hour=0, minute=0, second=0, microsecond=0),
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


def prepare(url: str, **settings: Any) -> Services:
    """Migrated store; returns services (close them before serving)."""
    services = Services.build(Settings(db=url, **settings))
    upgrade(services.store.engine)
    return services


LOAD_SQLITE = """
WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < :total)
INSERT INTO numbers (campaign_id, vdn_id, session_id, called, custom_field, call_data, state,
                     attempts, next_due_at, created_at, version)
SELECT :campaign, 12, 's' || x, :prefix || printf('%08d', x), 'other-' || (x % 7),
       '{"order":' || x || '}', 'pending', 0, :due, :due, 0
FROM seq
"""
LOAD_PG = """
INSERT INTO numbers (campaign_id, vdn_id, session_id, called, custom_field, call_data, state,
                     attempts, next_due_at, created_at, version)
SELECT :campaign, 12, 's' || x, :prefix || lpad(x::text, 8, '0'), 'other-' || (x % 7),
       '{"order":' || x || '}', 'pending', 0, :due, :due, 0
FROM generate_series(1, :total) AS x
"""


def load_numbers(
    services: Services,
    campaign_id: int,
    total: int,
    prefix: str = "138",
    due: datetime | None = None,
) -> float:
    """``total`` pending numbers sharing one due time, loaded with SQL; returns seconds."""
    if total == 0:
        return 0.0
    sql = LOAD_SQLITE if services.store.is_sqlite else LOAD_PG
    started = time.perf_counter()
    with services.store.write() as conn:
        conn.execute(
            text(sql),
            {
                "total": total,
                "campaign": campaign_id,
                "prefix": prefix,
                "due": due or system_clock() - timedelta(hours=1),
            },
        )
    if not services.store.is_sqlite:  # what autovacuum would have done by now
        with services.store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE numbers"
            )
    return time.perf_counter() - started


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited at start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


class Server:
    """A server process on a free port; ``pids`` are the processes that do the work."""

    def __init__(self, argv: list[str], port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for_port(self.process, port)
        time.sleep(0.5)  # let worker processes finish starting

    @classmethod
    def isales(cls, url: str, workers: int = 1) -> Server:
        port = free_port()
        argv = [sys.executable, *os.environ.get("BENCH_ISALES", "-m isales").split()]
        argv += ["serve", "--db", url, "--port", str(port)]
        if workers > 1:
            argv += ["--workers", str(workers)]
        return cls(argv, port)

    @classmethod
    def floor(cls) -> Server:
        port = free_port()
        argv = [sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--port", str(port)]
        argv += ["--log-level", "info"]  # as `isales serve` runs: access log on
        return cls(argv, port)

    @property
    def pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        kids = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [self.process.pid, *kids]

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float:
        """The largest peak resident set of the server's processes."""
        peaks = []
        for pid in self.pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Signer:
    """One keep-alive connection sending signed JSON requests (what a client pays is equal
    for the floor and the project)."""

    def __init__(self, port: int, access_key: str, secret_key: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.host = f"127.0.0.1:{port}"
        self.access_key, self.secret_key = access_key, secret_key

    def call(self, method: str, path: str, payload: Any = None) -> dict:
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        # a signed nonce makes two identical requests in one second two requests (a
        # signature is single-use), as isales.client does
        headers = {
            "Content-Type": JSON_TYPE,
            "Host": self.host,
            NONCE_HEADER: secrets.token_hex(8),
        }
        headers["Authorization"] = signing.sign(
            self.access_key,
            self.secret_key,
            method,
            path,
            [],
            headers,
            body,
            datetime.now(UTC),
        )
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        answer = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {answer[:200]!r}")
        return json.loads(answer)


#: a scenario: (signer, client index, args) -> one unit of work done (returns units)
Scenario = Callable[[Signer, int, dict], int]


def _client(
    scenario: Scenario,
    port: int,
    key: tuple[str, str],
    index: int,
    args: dict,
    seconds: float,
    start: Any,
    results: Any,
) -> None:
    signer = Signer(port, *key)
    done = 0
    start.wait()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done += scenario(signer, index, args)
    results.put(done)


def hammer(
    server: Server,
    scenario: Scenario,
    keys: list[tuple[str, str]],
    args: dict,
    seconds: float,
) -> tuple[float, float]:
    """``len(keys)`` client processes run ``scenario`` for ``seconds``.

    Returns (units per second, server CPU milliseconds per unit).
    """
    context = multiprocessing.get_context("fork")
    start = context.Event()
    results = context.Queue()
    clients = [
        context.Process(
            target=_client,
            args=(scenario, server.port, key, index, args, seconds, start, results),
        )
        for index, key in enumerate(keys)
    ]
    for client in clients:
        client.start()
    time.sleep(0.3)
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()
    start.set()
    done = sum(results.get(timeout=seconds + 600) for _ in clients)
    elapsed = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    for client in clients:
        client.join()
    return done / elapsed, 1000 * cpu / max(done, 1)


def median(values: list[float]) -> float:
    return statistics.median(values)


def noop_path(campaign_id: int) -> str:
    return f"/rest/isales/v1/openapi/campaigns/{VDN}/calldata/{campaign_id}/delete"


def noop_delete(signer: Signer, _index: int, args: dict) -> int:
    answer = signer.call("POST", noop_path(args["campaign"]), {"customField": "nothing-matches"})
    assert answer["successCount"] == 0, answer
    return 1
