"""INSERT that skips a row whose key already exists, on both back ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflict(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """True when the row was inserted, False when a row with its key was already there."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing()
    return conn.execute(statement).rowcount == 1
