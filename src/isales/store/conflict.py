"""INSERT that skips a row whose key already exists, on both back ends."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Row, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflict(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """True when the row was inserted, False when a row with its key was already there."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    # RETURNING, not rowcount: psycopg reports no row count for this statement shape
    return conn.execute(statement).first() is not None


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row an ``INSERT`` added."""
    return cast(int, cast("Row[Any]", result.inserted_primary_key)[0])
