"""Reserved calls (reference §7): create, find, page, claim, guarded state changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from ..domain.blacklist import QuotaPeriods
from . import blacklist as blacklist_store
from .local_time import reservations_in_keys
from .schema import reservations

PENDING, CALLING, EXECUTED = "pending", "calling", "executed"


def create(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(reservations).values(**values)).inserted_primary_key[0]


def get(conn: Connection, vdn_id: int, reservation_id: int) -> dict | None:
    row = conn.execute(
        select(reservations).where(
            reservations.c.id == reservation_id, reservations.c.vdn_id == vdn_id
        )
    ).first()
    return dict(row._mapping) if row else None


def delete_pending(conn: Connection, vdn_id: int, reservation_id: int) -> int:
    """Delete a reservation not yet dialled (guarded: a claim may have taken it meanwhile)."""
    return conn.execute(
        reservations.delete().where(
            reservations.c.id == reservation_id,
            reservations.c.vdn_id == vdn_id,
            reservations.c.state == PENDING,
        )
    ).rowcount


def record_result(
    conn: Connection, vdn_id: int, reservation_id: int, values: dict[str, Any]
) -> int:
    """Mark executed with its result, whatever state it was in (the agent's word is final)."""
    return conn.execute(
        update(reservations)
        .where(reservations.c.id == reservation_id, reservations.c.vdn_id == vdn_id)
        .values(state=EXECUTED, lease_owner=None, lease_until=None, **values)
    ).rowcount


def page(
    conn: Connection, vdn_id: int, filters: dict[str, Any], offset: int, limit: int
) -> tuple[int, list[dict]]:
    where = [reservations.c.vdn_id == vdn_id]
    if filters["called"] is not None:
        where.append(reservations.c.called == filters["called"])
    if filters["campaign_id"] is not None:
        where.append(reservations.c.campaign_id == filters["campaign_id"])
    if filters["accounts"]:
        where.append(
            or_(
                reservations.c.user_account.in_(filters["accounts"]),
                reservations.c.work_no.in_(filters["accounts"]),
            )
        )
    if filters["begin"] is not None:
        where.append(reservations.c.appoint_at >= filters["begin"])
    if filters["end"] is not None:
        where.append(reservations.c.appoint_at <= filters["end"])
    total = conn.execute(select(func.count()).select_from(reservations).where(*where)).scalar()
    found = conn.execute(
        select(reservations)
        .where(*where)
        .order_by(reservations.c.appoint_at, reservations.c.id)
        .offset(offset)
        .limit(limit)
    )
    return int(total or 0), [dict(row._mapping) for row in found]


def claim_due(
    conn: Connection,
    campaign_id: int,
    owner: str,
    limit: int,
    now: datetime,
    lease_until: datetime,
    quota: QuotaPeriods,
    zone_keys: list[str | None] | None = None,
) -> list[dict]:
    """Make up to ``limit`` due reservations *calling* for ``owner``, earliest first.

    ``zone_keys``: only reserved calls to numbers of those zone keys (local-time campaigns).

    Due: pending with ``due_at`` reached, or calling under a lease that ran out. The
    blacklist is applied as for numbers. Chosen in a CTE with FOR UPDATE SKIP LOCKED,
    like the number claim.
    """
    if limit <= 0:
        return []
    lapsed = and_(reservations.c.state == CALLING, reservations.c.lease_until < now)
    candidates = (
        select(reservations.c.id)
        .where(
            reservations.c.campaign_id == campaign_id,
            reservations.c.due_at <= now,
            or_(reservations.c.state == PENDING, lapsed),
            blacklist_store.claimable(reservations.c.vdn_id, reservations.c.called, now, quota),
            *([] if zone_keys is None else [reservations_in_keys(zone_keys)]),
        )
        .order_by(reservations.c.due_at, reservations.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due_reservations")
    )
    rows = conn.execute(
        update(reservations)
        .where(reservations.c.id == candidates.c.id)
        .values(state=CALLING, lease_owner=owner, lease_until=lease_until)
        .returning(*reservations.c)
    ).mappings()
    return sorted((dict(row) for row in rows), key=lambda row: (row["due_at"], row["id"]))


def finish_call(
    conn: Connection, reservation_id: int, owner: str, values: dict[str, Any]
) -> dict | None:
    """Record the dialler's result: only for a reservation *calling* under ``owner``'s claim."""
    row = conn.execute(
        update(reservations)
        .where(
            reservations.c.id == reservation_id,
            reservations.c.state == CALLING,
            reservations.c.lease_owner == owner,
        )
        .values(state=EXECUTED, lease_owner=None, lease_until=None, **values)
        .returning(*reservations.c)
    ).first()
    return dict(row._mapping) if row else None
