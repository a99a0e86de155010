"""Blacklist import tasks: create, page, lease, guarded progress updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from .schema import blacklist_imports

WAITING, RUNNING, FINISHED, FAILED = "0", "1", "2", "3"

_TASK = [column for column in blacklist_imports.c if column.name != "content"]


def create_task(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(blacklist_imports).values(**values)).inserted_primary_key[0]


def page(conn: Connection, vdn_id: int, offset: int, limit: int) -> tuple[int, list[dict]]:
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


def _leasable(owner: str, now: datetime):  # type: ignore[no-untyped-def]
    return (
        blacklist_imports.c.status.in_((WAITING, RUNNING)),
        blacklist_imports.c.run_after <= now,
        or_(
            blacklist_imports.c.leased_until.is_(None),
            blacklist_imports.c.leased_until < now,
            blacklist_imports.c.lease_owner == owner,
        ),
    )


def lease_next(conn: Connection, owner: str, now: datetime, until: datetime) -> dict | None:
    """Lease the oldest due task nobody else holds (guarded); the task with its file."""
    candidate = conn.execute(
        select(blacklist_imports.c.id)
        .where(*_leasable(owner, now))
        .order_by(blacklist_imports.c.id)
        .limit(1)
    ).first()
    if candidate is None:
        return None
    leased = conn.execute(
        update(blacklist_imports)
        .where(blacklist_imports.c.id == candidate.id, *_leasable(owner, now))
        .values(
            lease_owner=owner,
            leased_until=until,
            status=RUNNING,
            started_at=func.coalesce(blacklist_imports.c.started_at, now),
        )
    ).rowcount
    if leased != 1:
        return None
    row = conn.execute(select(blacklist_imports).where(blacklist_imports.c.id == candidate.id))
    return dict(row.one()._mapping)


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
