"""Call batches of campaigns, and the claim condition that skips paused ones."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, exists, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from ..domain.batches import BatchStatus
from .schema import call_batches


def insert_batch(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(call_batches).values(**values))


def name_taken(conn: Connection, campaign_id: int, name: str) -> bool:
    query = select(call_batches.c.id).where(
        call_batches.c.campaign_id == campaign_id, call_batches.c.name == name
    )
    return conn.execute(query.limit(1)).first() is not None


def count_for_campaign(conn: Connection, campaign_id: int) -> int:
    return conn.execute(
        select(func.count())
        .select_from(call_batches)
        .where(call_batches.c.campaign_id == campaign_id)
    ).scalar_one()


def get_batch(conn: Connection, campaign_id: int, batch_id: str) -> dict[str, Any] | None:
    row = (
        conn.execute(
            select(call_batches).where(
                call_batches.c.id == batch_id, call_batches.c.campaign_id == campaign_id
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def list_batches(
    conn: Connection,
    campaign_id: int,
    status: int | None,
    name: str | None,
    offset: int,
    limit: int,
) -> tuple[int, list[dict[str, Any]]]:
    conditions = [call_batches.c.campaign_id == campaign_id]
    if status is not None:
        conditions.append(call_batches.c.status == status)
    if name:
        # a substring, case-sensitive on both back ends (LIKE ignores case on SQLite)
        position = func.strpos if conn.dialect.name == "postgresql" else func.instr
        conditions.append(position(call_batches.c.name, name) > 0)
    total = conn.execute(
        select(func.count()).select_from(call_batches).where(*conditions)
    ).scalar_one()
    rows = conn.execute(
        select(call_batches)
        .where(*conditions)
        .order_by(call_batches.c.created_at, call_batches.c.id)
        .offset(offset)
        .limit(limit)
    ).mappings()
    return total, [dict(row) for row in rows]


def change_status(
    conn: Connection,
    campaign_id: int,
    batch_id: str,
    source: BatchStatus,
    target: BatchStatus,
    now: datetime,
) -> bool:
    """Guarded: only from ``source``."""
    changed = conn.execute(
        update(call_batches)
        .where(
            call_batches.c.id == batch_id,
            call_batches.c.campaign_id == campaign_id,
            call_batches.c.status == int(source),
        )
        .values(status=int(target), updated_at=now)
    ).rowcount
    return changed == 1


def rename_batch(
    conn: Connection, campaign_id: int, batch_id: str, name: str, now: datetime
) -> bool:
    changed = conn.execute(
        update(call_batches)
        .where(call_batches.c.id == batch_id, call_batches.c.campaign_id == campaign_id)
        .values(name=name, updated_at=now)
    ).rowcount
    return changed == 1


def delete_batch(conn: Connection, campaign_id: int, batch_id: str) -> bool:
    removed = conn.execute(
        delete(call_batches).where(
            call_batches.c.id == batch_id, call_batches.c.campaign_id == campaign_id
        )
    ).rowcount
    return removed == 1


def delete_for_campaign(conn: Connection, campaign_id: int) -> None:
    conn.execute(delete(call_batches).where(call_batches.c.campaign_id == campaign_id))


def claimable(batch_column: ColumnElement[Any]) -> ColumnElement[bool]:
    """Claim condition: the number is in no batch, or in one that is not paused."""
    paused = exists().where(
        call_batches.c.id == batch_column, call_batches.c.status == int(BatchStatus.PAUSED)
    )
    return or_(batch_column.is_(None), ~paused)
