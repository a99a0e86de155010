"""Import tasks: create, read, list, lease, and guarded progress updates.

A task keeps its file (``content``) until it ends, so whichever server holds its lease
can carry on from the counters committed with the last chunk.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from ..domain.imports import IN_PROGRESS, ImportStatus
from .schema import import_tasks
from .tasks import Row, lease_task

__all__ = ["IN_PROGRESS", "ImportStatus"]  # the states are domain/imports.py's


#: the columns of a task without its file
_TASK = [column for column in import_tasks.c if column.name != "content"]
#: the columns of a task summary (without the error report either)
_SUMMARY = [column for column in _TASK if column.name != "errors"]


def create_task(conn: Connection, values: dict[str, Any]) -> int:
    key = conn.execute(insert(import_tasks).values(**values)).inserted_primary_key
    return int(key[0]) if key else 0


def task_with_file(conn: Connection, campaign_id: int, fingerprint: str) -> int | None:
    """The earliest import task of the campaign whose file had this fingerprint."""
    found = conn.execute(
        select(func.min(import_tasks.c.id)).where(
            import_tasks.c.campaign_id == campaign_id, import_tasks.c.fingerprint == fingerprint
        )
    ).scalar()
    return int(found) if found is not None else None


def lease_next(conn: Connection, owner: str, now: datetime, until: datetime) -> Row | None:
    """Lease the oldest task in progress that nobody else holds, without its file."""
    return lease_task(conn, import_tasks, IN_PROGRESS, owner, now, until, returning=_TASK)


def get_content(conn: Connection, task_id: int) -> bytes | None:
    return conn.execute(
        select(import_tasks.c.content).where(import_tasks.c.id == task_id)
    ).scalar_one_or_none()


def get_task(conn: Connection, task_id: int, lock: bool = False) -> Row | None:
    query = select(*_TASK).where(import_tasks.c.id == task_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def find_task(conn: Connection, vdn_id: int, campaign_id: int, task_id: int) -> Row | None:
    row = (
        conn.execute(
            select(*_TASK).where(
                import_tasks.c.id == task_id,
                import_tasks.c.vdn_id == vdn_id,
                import_tasks.c.campaign_id == campaign_id,
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def list_tasks(
    conn: Connection,
    vdn_id: int,
    campaign_id: int,
    offset: int,
    limit: int,
    task_ids: list[int] | None = None,
) -> tuple[int, list[Row]]:
    """Task summaries of one campaign, newest first; only ``task_ids`` when given."""
    where = [import_tasks.c.vdn_id == vdn_id, import_tasks.c.campaign_id == campaign_id]
    if task_ids is not None:
        where.append(import_tasks.c.id.in_(task_ids))
    total = conn.execute(select(func.count()).select_from(import_tasks).where(*where)).scalar_one()
    rows = conn.execute(
        select(*_SUMMARY)
        .where(*where)
        .order_by(import_tasks.c.id.desc())
        .offset(offset)
        .limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]


def update_task(
    conn: Connection, task_id: int, expected_status: str, owner: str, values: dict[str, Any]
) -> bool:
    """Guarded: only while the task is in ``expected_status`` and leased by ``owner``.

    A task that ends (finished, failed) drops its file and its lease.
    """
    if values.get("status") not in (None, *IN_PROGRESS):
        values = {**values, "content": None, "lease_owner": None, "leased_until": None}
    changed = conn.execute(
        update(import_tasks)
        .where(
            import_tasks.c.id == task_id,
            import_tasks.c.status == expected_status,
            import_tasks.c.lease_owner == owner,
        )
        .values(**values)
    ).rowcount
    return changed == 1
