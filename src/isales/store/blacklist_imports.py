"""Blacklist import tasks: create, page, lease, guarded progress updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from ..domain.blacklist_imports import IN_PROGRESS, BlacklistImportStatus
from .schema import blacklist_imports
from .tasks import Row, lease_task

#: the states, as the store has always named them (``domain/blacklist_imports.py`` owns them)
WAITING, RUNNING, FINISHED, FAILED = BlacklistImportStatus

_TASK = [column for column in blacklist_imports.c if column.name != "content"]


def create_task(conn: Connection, values: dict[str, Any]) -> int:
    key = conn.execute(insert(blacklist_imports).values(**values)).inserted_primary_key
    return int(key[0]) if key else 0


def page(conn: Connection, vdn_id: int, offset: int, limit: int) -> tuple[int, list[Row]]:
    """The VDN's tasks, newest first."""
    where = blacklist_imports.c.vdn_id == vdn_id
    total = conn.execute(select(func.count()).select_from(blacklist_imports).where(where)).scalar()
    found = conn.execute(
        select(*_TASK)
        .where(where)
        .order_by(blacklist_imports.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(total or 0), [dict(row._mapping) for row in found]


def lease_next(conn: Connection, owner: str, now: datetime, until: datetime) -> Row | None:
    """Lease the oldest due task nobody else holds; the task with its file."""
    due = [blacklist_imports.c.run_after <= now]
    started = {"status": RUNNING, "started_at": func.coalesce(blacklist_imports.c.started_at, now)}
    return lease_task(
        conn, blacklist_imports, IN_PROGRESS, owner, now, until, due=due, values=started
    )


def advance(
    conn: Connection, task_id: int, owner: str, done_before: int, values: dict[str, Any]
) -> bool:
    """Record a chunk: only while ``owner`` holds the lease and nobody moved the counters."""
    done = (
        blacklist_imports.c.success_rows
        + blacklist_imports.c.repeat_rows
        + blacklist_imports.c.failed_rows
    )
    return (
        conn.execute(
            update(blacklist_imports)
            .where(
                and_(
                    blacklist_imports.c.id == task_id,
                    blacklist_imports.c.status == RUNNING,
                    blacklist_imports.c.lease_owner == owner,
                    done == done_before,
                )
            )
            .values(**values)
        ).rowcount
        == 1
    )


def get_task(conn: Connection, task_id: int) -> Row | None:
    """A task without its file, row-locked (the lock is a no-op on SQLite)."""
    query = select(*_TASK).where(blacklist_imports.c.id == task_id).with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def fail(conn: Connection, task_id: int, owner: str, values: dict[str, Any]) -> bool:
    """End a task in progress as *failed* (guarded by ``owner``'s lease); it drops its file."""
    return (
        conn.execute(
            update(blacklist_imports)
            .where(
                blacklist_imports.c.id == task_id,
                blacklist_imports.c.status.in_(IN_PROGRESS),
                blacklist_imports.c.lease_owner == owner,
            )
            .values(status=FAILED, content=None, **values)
        ).rowcount
        == 1
    )
