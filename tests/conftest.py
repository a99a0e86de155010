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
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from isales.client import IsalesClient
from isales.clock import Clock, system_clock
from isales.store.engine import make_engine
from isales.store.migrate import upgrade
from tests.support.console import CHROMIUM
from tests.support.servers import (  # noqa: F401 (tests.conftest.free_port, .start_server stay importable)
    RunningServer,
    free_port,
    start_server,
)
from tests.support.stores import (  # noqa: F401 (tests.conftest.pg_admin_url stays importable)
    DEFAULT_PG,
    pg_admin_url,
)

# a PostgreSQL store needs a master key to seal secret keys
# (docs/api.md#limits-and-protections); subprocess servers inherit it
os.environ.setdefault("ISALES_MASTER_KEY", "bWFzdGVyLWtleS1vZi10aGUtdGVzdC1zdWl0ZS0wMDA=")

BACKENDS = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", action="append", choices=BACKENDS, help="back end(s) to test")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("db") or list(BACKENDS)
        metafunc.parametrize("backend", chosen, scope="module")


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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole run. Playwright's sync API runs an event loop for as long
    as it is open, and a second ``sync_playwright()`` inside it fails ("Sync API inside the
    asyncio loop"): every module that needs a browser takes this one."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()
