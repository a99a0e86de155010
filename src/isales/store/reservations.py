"""Reserved calls (docs/api.md, "Reserved calls"): create, find, page, guarded state changes
(their claim is built with the number claim's, in ``store/numbers.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from ..domain.reservations import ReservationState
from .schema import campaigns, reservations

#: the states, as the store has always named them (``domain/reservations.py`` owns them)
PENDING, CALLING, EXECUTED = (
    ReservationState.PENDING,
    ReservationState.CALLING,
    ReservationState.EXECUTED,
)


def create(conn: Connection, values: dict[str, Any]) -> int:
    key = conn.execute(insert(reservations).values(**values)).inserted_primary_key
    return int(key[0]) if key else 0


def get(conn: Connection, vdn_id: int, reservation_id: int) -> dict[str, Any] | None:
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
) -> tuple[int, list[dict[str, Any]]]:
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


def finish_call(
    conn: Connection, reservation_id: int, owner: str, values: dict[str, Any]
) -> dict[str, Any] | None:
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
