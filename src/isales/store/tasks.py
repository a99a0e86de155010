"""Leasing background work: the one statement that takes the next row of a task table.

Import tasks, blacklist import tasks and the callback outbox are all leased by it: the
first row meeting ``leasable`` (in ``order``) is chosen in a CTE locked FOR UPDATE SKIP
LOCKED, so concurrent runners take different rows and never wait for each other, and the
UPDATE re-checks ``leasable`` (READ COMMITTED re-reads a row it had to wait for). SQLite
drops the locking clause; its single writer makes the statement atomic.

``skip`` is how a runner keeps its choice fair: the values of a column it must not take
now (a VDN at its share of the runner's work, a receiver already being served) are left
out by the same statement, so the next row is the oldest of everyone else's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

Row = dict[str, Any]


def lease_one(
    conn: Connection,
    table: Table,
    leasable: Sequence[ColumnElement[bool]],
    order: Sequence[ColumnElement[Any]],
    values: dict[str, Any],
    returning: Sequence[ColumnElement[Any]] | None = None,
    skip: Mapping[str, Collection[Any]] | None = None,
) -> Row | None:
    """Lease the first ``leasable`` row of ``table``: set ``values`` on it and return it
    (``returning``: its columns; default all). None when no row is leasable. ``skip``: per
    column, values whose rows are not taken now."""
    leasable = [
        *leasable,
        *(table.c[name].not_in(list(values)) for name, values in (skip or {}).items() if values),
    ]
    candidate = (
        select(table.c.id)
        .where(*leasable)
        .order_by(*order)
        .limit(1)
        .with_for_update(skip_locked=True)
        .cte("leasable")
    )
    row = (
        conn.execute(
            update(table)
            .where(table.c.id == candidate.c.id, *leasable)
            .values(**values)
            .returning(*(returning if returning is not None else table.c))
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def lease_task(
    conn: Connection,
    table: Table,
    in_progress: Sequence[str],
    owner: str,
    now: datetime,
    until: datetime,
    *,
    due: Sequence[ColumnElement[bool]] = (),
    values: dict[str, Any] | None = None,
    returning: Sequence[ColumnElement[Any]] | None = None,
) -> Row | None:
    """Lease the oldest task in progress (and ``due``) that nobody else holds: its lease
    is free, ran out, or is already ``owner``'s (a runner takes its own task back)."""
    leasable = [
        table.c.status.in_(in_progress),
        *due,
        or_(
            table.c.leased_until.is_(None), table.c.leased_until < now, table.c.lease_owner == owner
        ),
    ]
    lease = {"lease_owner": owner, "leased_until": until, **(values or {})}
    return lease_one(conn, table, leasable, [table.c.id], lease, returning)
