"""Connections and transactions. Services open them; store functions never commit.

SQLite: WAL, a busy timeout, and ``BEGIN IMMEDIATE`` for write transactions, so a
transaction that reads before it writes waits for the lock instead of failing; a
process-wide lock keeps this process's writers from spinning in SQLite's busy handler.
PostgreSQL: psycopg 3, READ COMMITTED, row locks taken explicitly where a rule needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from ..errors import StoreFailure

SQLITE_BUSY_TIMEOUT_MS = 10_000


class TransactionGuard(Protocol):
    """What must hold at the start of a request's transactions (``services.access.RequestGuard``:
    the request's key is still active; a single-use signature is recorded in the request's
    first write transaction, so it commits, or rolls back, with the change it guards)."""

    def begin(self, conn: Connection, writable: bool) -> None:
        """Runs first in each transaction; raising rolls the transaction back."""

    def ended(self, conn: Connection, committed: bool) -> None:
        """The transaction of ``conn`` (one ``begin`` ran in) committed, or rolled back."""


#: the guard of the request whose thread opens transactions now (set by ``services.access``
#: around one service call; unset outside requests)
TRANSACTION_GUARD: ContextVar[TransactionGuard | None] = ContextVar(
    "isales_transaction_guard", default=None
)


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        read_only = conn.get_execution_options().get("isales_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        _prepare_sqlite(engine)
        return engine
    # No pool_pre_ping (a round trip before every checkout): a connection the server dropped
    # fails its statement, SQLAlchemy sees the disconnect and invalidates the pool, that one
    # transaction answers 0200006, and the next checkout connects afresh.
    return create_engine(url, pool_size=10, max_overflow=20)


class Store:
    """The database: hands out transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self.is_sqlite = self.dialect == "sqlite"
        # SQLite allows one writer; queue this process's writers here rather than in the
        # busy handler's sleep/retry loop.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        if self._write_lock is not None:
            with self._write_lock, self._transaction(read_only=False) as conn:
                yield conn
        else:
            with self._transaction(read_only=False) as conn:
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._transaction(read_only=True) as conn:
            yield conn

    @contextmanager
    def _transaction(self, read_only: bool) -> Iterator[Connection]:
        guard = TRANSACTION_GUARD.get()
        conn: Connection | None = None
        try:
            with self.engine.connect() as conn:
                if read_only:
                    conn = conn.execution_options(isales_read_only=True)
                with conn.begin():
                    if guard is not None:
                        guard.begin(conn, writable=not read_only)
                    yield conn
        except DBAPIError as exc:
            if guard is not None and conn is not None:
                guard.ended(conn, committed=False)
            raise StoreFailure() from exc
        except BaseException:
            if guard is not None and conn is not None:
                guard.ended(conn, committed=False)
            raise
        if guard is not None and conn is not None:
            guard.ended(conn, committed=True)

    def dispose(self) -> None:
        self.engine.dispose()
