"""Renewing a claim's lease (``push/midresult``): numbers and reserved calls alike, with
one statement each, built once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Executable, Table, bindparam, update

from ..domain.reservations import ReservationState
from ..domain.states import NumberState
from .schema import numbers, reservations


def _renewal(table: Table, calling: str) -> Executable:
    """Extend an unexpired claim held by the owner (guarded)."""
    return (
        update(table)
        .where(
            table.c.id == bindparam("renew_id"),
            table.c.campaign_id == bindparam("renew_campaign_id"),
            table.c.state == calling,
            table.c.lease_owner == bindparam("renew_owner"),
            table.c.lease_until >= bindparam("renew_now"),
        )
        .values(lease_until=bindparam("renew_until"))
    )


_RENEW = {
    "number": _renewal(numbers, NumberState.CALLING),
    "reservation": _renewal(reservations, ReservationState.CALLING),
}


def _renew(
    conn: Connection,
    kind: str,
    campaign_id: int,
    row_id: int,
    owner: str,
    now: datetime,
    until: datetime,
) -> bool:
    params = {
        "renew_id": row_id,
        "renew_campaign_id": campaign_id,
        "renew_owner": owner,
        "renew_now": now,
        "renew_until": until,
    }
    return conn.execute(_RENEW[kind], params).rowcount == 1


def renew_number(
    conn: Connection, campaign_id: int, data_id: int, owner: str, now: datetime, until: datetime
) -> bool:
    """Extend an unexpired claim held by ``owner`` (guarded; False when it is not one)."""
    return _renew(conn, "number", campaign_id, data_id, owner, now, until)


def renew_reservation(
    conn: Connection,
    campaign_id: int,
    reservation_id: int,
    owner: str,
    now: datetime,
    until: datetime,
) -> bool:
    return _renew(conn, "reservation", campaign_id, reservation_id, owner, now, until)
