"""Test fixtures: every store test runs on SQLite and on PostgreSQL.

``--db sqlite`` / ``--db postgresql`` pick one back end; the default is both. PostgreSQL is
``ISALES_TEST_PG`` (default: the local server, database ``test``). When PostgreSQL is asked
for and does not answer, its tests fail; they never skip.

Isolation: the schema is migrated once per session into a template (a SQLite file, a
PostgreSQL template database), and each test module gets a fresh copy of it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from isales.api.app import create_app
from isales.client import IsalesClient
from isales.clock import Clock, system_clock
from isales.config import Settings
from isales.services import Services
from isales.store.engine import make_engine
from isales.store.migrate import upgrade

# a PostgreSQL store needs a master key to seal secret keys (spec/hardening.md); subprocess
# servers inherit it
os.environ.setdefault("ISALES_MASTER_KEY", "bWFzdGVyLWtleS1vZi10aGUtdGVzdC1zdWl0ZS0wMDA=")

BACKENDS = ("sqlite", "postgresql")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# read once and removed, so the `isales` processes the tests start see no stray ISALES_*
# variable (they refuse unknown ones)
_TEST_PG = os.environ.pop("ISALES_TEST_PG", DEFAULT_PG)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", action="append", choices=BACKENDS, help="back end(s) to test")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("db") or list(BACKENDS)
        metafunc.parametrize("backend", chosen, scope="module")


def pg_admin_url() -> str:
    return _TEST_PG


class Templates:
    """Migrated schema templates, made once per session on first use."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self._sqlite: Path | None = None
        self._pg: str | None = None
        self._lock = threading.Lock()
        self.created_pg: list[str] = []

    def sqlite_url(self) -> str:
        with self._lock:
            if self._sqlite is None:
                path = self.tmp / "template.db"
                engine = make_engine(f"sqlite:///{path}")
                upgrade(engine)
                engine.dispose()
                self._sqlite = path
        copy = self.tmp / f"db-{uuid.uuid4().hex[:10]}.db"
        shutil.copy(self._sqlite, copy)
        return f"sqlite:///{copy}"

    def _admin(self):  # type: ignore[no-untyped-def]
        return create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")

    def pg_url(self) -> str:
        admin = self._admin()
        base = make_url(pg_admin_url())
        try:
            with self._lock:
                if self._pg is None:
                    name = f"isales_tmpl_{uuid.uuid4().hex[:8]}"
                    with admin.connect() as conn:
                        conn.execute(text(f'CREATE DATABASE "{name}"'))
                    self.created_pg.append(name)
                    engine = make_engine(
                        base.set(database=name).render_as_string(hide_password=False)
                    )
                    upgrade(engine)
                    engine.dispose()
                    self._pg = name
            name = f"isales_t_{uuid.uuid4().hex[:10]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._pg}"'))
            self.created_pg.append(name)
            return base.set(database=name).render_as_string(hide_password=False)
        finally:
            admin.dispose()

    def url(self, backend: str) -> str:
        return self.sqlite_url() if backend == "sqlite" else self.pg_url()

    def drop_all(self) -> None:
        if not self.created_pg:
            return
        admin = self._admin()
        with admin.connect() as conn:
            for name in reversed(self.created_pg):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("stores"))
    yield made
    made.drop_all()


@pytest.fixture(scope="module")
def db_url(backend: str, templates: Templates) -> str:
    """A freshly migrated store for this module."""
    return templates.url(backend)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningServer:
    base_url: str
    services: Services
    settings: Settings
    clock: Clock
    _server: uvicorn.Server
    _thread: threading.Thread

    def client(self, vdns: tuple[int, ...] = (12,)) -> IsalesClient:
        """A client signing with a new key, on the server's clock."""
        key = self.services.access.create_key(list(vdns))
        return IsalesClient(
            self.base_url,
            key.access_key,
            key.secret_key,
            now=lambda: self.clock().replace(tzinfo=UTC),
        )

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_server(db_url: str, clock: Clock = system_clock, **settings: object) -> RunningServer:
    """A real uvicorn server on a free port, in a thread of this process."""
    config = Settings(db=db_url, **settings)
    app = create_app(config, clock=clock)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    return RunningServer(
        f"http://127.0.0.1:{port}", app.state.services, config, clock, server, thread
    )


@pytest.fixture(scope="module")
def server(db_url: str) -> Iterator[RunningServer]:
    running = start_server(db_url)
    yield running
    running.stop()


@pytest.fixture
def make_server(backend: str, templates: Templates) -> Iterator[Callable[..., RunningServer]]:
    """Servers with their own store and settings, stopped after the test."""
    started: list[RunningServer] = []

    def make(clock: Clock = system_clock, **settings: object) -> RunningServer:
        running = start_server(templates.url(backend), clock=clock, **settings)
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


@pytest.fixture(scope="module")
def client(server: RunningServer) -> Iterator[IsalesClient]:
    """Signed with a key granted VDNs 12 and 13."""
    with server.client((12, 13)) as signed:
        yield signed
