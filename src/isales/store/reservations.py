"""Reserved calls (reference §7): create, find, page, claim, guarded state changes."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from ..domain.blacklist import QuotaPeriods
from . import blacklist as blacklist_store
from .schema import campaigns, reservations

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


def change_pending(
    conn: Connection, vdn_id: int, reservation_id: int, values: dict[str, Any]
) -> int:
    """Change a reservation not yet dialled (guarded, like delete)."""
    return conn.execute(
        update(reservations)
        .where(
            reservations.c.id == reservation_id,
            reservations.c.vdn_id == vdn_id,
            reservations.c.state == PENDING,
        )
        .values(**values)
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
    # Each item names its campaign (taskName, taskStatus on the wire).
    found = conn.execute(
        select(
            reservations,
            campaigns.c.name.label("campaign_name"),
            campaigns.c.status.label("campaign_status"),
        )
        .select_from(
            reservations.outerjoin(campaigns, campaigns.c.id == reservations.c.campaign_id)
        )
        .where(*where)
        .order_by(reservations.c.appoint_at, reservations.c.id)
        .offset(offset)
        .limit(limit)
    )
    return int(total or 0), [dict(row._mapping) for row in found]


_NOW = bindparam("claim_now", type_=DateTime())
_QUOTA = QuotaPeriods(
    bindparam("quota_hour_start", type_=DateTime()), bindparam("quota_day_start", type_=DateTime())
)


@cache
def _claim_statement(zone_filter: tuple[int, bool] | None):  # type: ignore[no-untyped-def]
    """The reserved-call claim, built once per shape of its zone filter."""
    lapsed = and_(reservations.c.state == CALLING, reservations.c.lease_until < _NOW)
    conditions = [
        reservations.c.campaign_id == bindparam("claim_campaign"),
        reservations.c.due_at <= _NOW,
        or_(reservations.c.state == PENDING, lapsed),
        blacklist_store.claimable(reservations.c.vdn_id, reservations.c.called, _NOW, _QUOTA),
    ]
    if zone_filter is not None:
        named, without_zone = zone_filter
        keys = [bindparam(f"zone_{i}") for i in range(named)]
        in_keys = [reservations.c.time_zone.in_(keys)] if keys else []
        if without_zone:
            in_keys.append(reservations.c.time_zone.is_(None))
        conditions.append(or_(*in_keys))
    candidates = (
        select(reservations.c.id)
        .where(*conditions)
        .order_by(reservations.c.due_at, reservations.c.id)
        .limit(bindparam("claim_limit", type_=Integer()))
        .with_for_update(skip_locked=True)
        .cte("due_reservations")
    )
    return (
        update(reservations)
        .where(reservations.c.id == candidates.c.id)
        .values(
            state=CALLING,
            lease_owner=bindparam("claim_owner"),
            lease_until=bindparam("claim_until", type_=DateTime()),
        )
        .returning(*reservations.c)
    )


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

    Due: pending with ``due_at`` reached, or calling under a lease that ran out. The
    blacklist is applied as for numbers; ``zone_keys``: only reserved calls to numbers of
    those zone keys (local-time campaigns). Chosen in a CTE with FOR UPDATE SKIP LOCKED,
    like the number claim; the statement is built once.
    """
    if limit <= 0:
        return []
    named = [key for key in zone_keys or [] if key is not None]
    shape = None if zone_keys is None else (len(named), None in zone_keys)
    params = {
        "claim_campaign": campaign_id,
        "claim_now": now,
        "quota_hour_start": quota.hour_start,
        "quota_day_start": quota.day_start,
        "claim_limit": limit,
        "claim_owner": owner,
        "claim_until": lease_until,
        **{f"zone_{i}": key for i, key in enumerate(named)},
    }
    rows = conn.execute(_claim_statement(shape), params).mappings()
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
