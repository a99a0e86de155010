"""Import tasks: create, read, list, guarded progress updates, and heartbeats.

A task in progress has a heartbeat in ``flow_marks`` (key ``import-task:<id>``): the time
the server holding its file last showed it was alive. The mark goes when the task ends.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from .schema import flow_marks, import_tasks


class ImportStatus(StrEnum):
    PENDING = "pending"  # uploaded, not started
    RUNNING = "running"  # some chunks imported
    FINISHED = "finished"  # every row imported or reported
    FAILED = "failed"  # stopped early; the reason is a row-0 entry of ``errors``


IN_PROGRESS = (ImportStatus.PENDING, ImportStatus.RUNNING)

#: the columns of a task summary (everything but the error report)
_SUMMARY = [column for column in import_tasks.c if column.name != "errors"]


def _mark(task_id: int) -> str:
    return f"import-task:{task_id}"


def create_task(conn: Connection, values: dict[str, Any]) -> int:
    """A new task, with its first heartbeat at its creation time."""
    task_id = conn.execute(insert(import_tasks).values(**values)).inserted_primary_key[0]
    conn.execute(insert(flow_marks).values(key=_mark(task_id), last_at=values["created_at"]))
    return task_id


def beat(conn: Connection, task_ids: list[int], now: datetime) -> None:
    conn.execute(
        update(flow_marks)
        .where(flow_marks.c.key.in_([_mark(task_id) for task_id in task_ids]))
        .values(last_at=now)
    )


def last_beats(conn: Connection, task_ids: list[int]) -> dict[int, datetime]:
    marks = {_mark(task_id): task_id for task_id in task_ids}
    rows = conn.execute(
        select(flow_marks.c.key, flow_marks.c.last_at).where(flow_marks.c.key.in_(list(marks)))
    )
    return {marks[row.key]: row.last_at for row in rows}


def get_task(conn: Connection, task_id: int, lock: bool = False) -> dict | None:
    query = select(import_tasks).where(import_tasks.c.id == task_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def find_task(conn: Connection, vdn_id: int, campaign_id: int, task_id: int) -> dict | None:
    row = (
        conn.execute(
            select(import_tasks).where(
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
    conn: Connection, vdn_id: int, campaign_id: int, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """Task summaries of one campaign, newest first."""
    where = (import_tasks.c.vdn_id == vdn_id, import_tasks.c.campaign_id == campaign_id)
    total = conn.execute(select(func.count()).select_from(import_tasks).where(*where)).scalar_one()
    rows = conn.execute(
        select(*_SUMMARY)
        .where(*where)
        .order_by(import_tasks.c.id.desc())
        .offset(offset)
        .limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]


def statuses(conn: Connection, task_ids: list[int]) -> dict[int, str]:
    rows = conn.execute(
        select(import_tasks.c.id, import_tasks.c.status).where(import_tasks.c.id.in_(task_ids))
    )
    return {row.id: row.status for row in rows}


def in_progress(conn: Connection) -> list[dict]:
    """Pending or running tasks, locked."""
    rows = conn.execute(
        select(import_tasks)
        .where(import_tasks.c.status.in_(IN_PROGRESS))
        .order_by(import_tasks.c.id)
        .with_for_update()
    ).mappings()
    return [dict(row) for row in rows]


def update_task(
    conn: Connection, task_id: int, expected_status: str, values: dict[str, Any]
) -> bool:
    """Guarded: the task changes only if it is still in ``expected_status``.

    A task that ends (finished, failed) loses its heartbeat.
    """
    changed = conn.execute(
        update(import_tasks)
        .where(import_tasks.c.id == task_id, import_tasks.c.status == expected_status)
        .values(**values)
    ).rowcount
    if changed == 1 and values.get("status") not in (None, *IN_PROGRESS):
        conn.execute(delete(flow_marks).where(flow_marks.c.key == _mark(task_id)))
    return changed == 1
