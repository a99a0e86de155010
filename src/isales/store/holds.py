"""Legal holds (docs/api.md#retention-and-legal-holds) and the retention purge they stop."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, exists, select, update

from .conflict import insert_ignoring_conflict
from .schema import call_results, legal_holds, number_history


def set_hold(
    conn: Connection, vdn_id: int, campaign_id: int, reason: str | None, actor: str, now: datetime
) -> bool:
    """Hold the campaign; True if it was not held before (a held one gets the new reason)."""
    values = {
        "vdn_id": vdn_id,
        "campaign_id": campaign_id,
        "reason": reason,
        "created_at": now,
        "created_by": actor,
    }
    if insert_ignoring_conflict(conn, legal_holds, values):
        return True
    conn.execute(
        update(legal_holds)
        .where(legal_holds.c.vdn_id == vdn_id, legal_holds.c.campaign_id == campaign_id)
        .values(reason=reason)
    )
    return False


def release(conn: Connection, vdn_id: int, campaign_id: int) -> bool:
    removed = conn.execute(
        delete(legal_holds).where(
            legal_holds.c.vdn_id == vdn_id, legal_holds.c.campaign_id == campaign_id
        )
    ).rowcount
    return removed == 1


def list_holds(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(legal_holds).order_by(legal_holds.c.vdn_id, legal_holds.c.campaign_id)
    ).mappings()
    return [dict(row) for row in rows]


def held_campaigns(conn: Connection, vdn_id: int) -> set[int]:
    return set(
        conn.execute(
            select(legal_holds.c.campaign_id).where(legal_holds.c.vdn_id == vdn_id)
        ).scalars()
    )


def is_held(conn: Connection, vdn_id: int, campaign_id: int) -> bool:
    return campaign_id in held_campaigns(conn, vdn_id)


def _not_held(table: Table) -> ColumnElement[bool]:
    return ~exists().where(
        and_(
            legal_holds.c.vdn_id == table.c.vdn_id, legal_holds.c.campaign_id == table.c.campaign_id
        )
    )


def purge_batch(conn: Connection, table_name: str, cutoff: datetime, limit: int) -> dict[int, int]:
    """Delete up to ``limit`` rows older than ``cutoff`` outside held campaigns; per VDN."""
    table, key, age = {
        "history": (number_history, number_history.c.history_id, number_history.c.archived_at),
        "results": (call_results, call_results.c.id, call_results.c.reported_at),
    }[table_name]
    victims = conn.execute(
        select(key, table.c.vdn_id)
        .where(age < cutoff, _not_held(table))
        .order_by(age)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    by_vdn: dict[int, int] = {}
    ids = [row[0] for row in victims]
    for start in range(0, len(ids), 1000):
        conn.execute(delete(table).where(key.in_(ids[start : start + 1000])))
    for _, vdn_id in victims:
        by_vdn[vdn_id] = by_vdn.get(vdn_id, 0) + 1
    return by_vdn
