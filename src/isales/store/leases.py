"""Renewing a claim's lease (``push/midresult``): numbers and reserved calls alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, update

from ..domain.states import NumberState
from .reservations import CALLING
from .schema import numbers, reservations


def renew_number(
    conn: Connection, campaign_id: int, data_id: int, owner: str, now: datetime, until: datetime
) -> bool:
    """Extend an unexpired claim held by ``owner`` (guarded; False when it is not one)."""
    return (
        conn.execute(
            update(numbers)
            .where(
                numbers.c.id == data_id,
                numbers.c.campaign_id == campaign_id,
                numbers.c.state == NumberState.CALLING,
                numbers.c.lease_owner == owner,
                numbers.c.lease_until >= now,
            )
            .values(lease_until=until)
        ).rowcount
        == 1
    )


def renew_reservation(
    conn: Connection,
    campaign_id: int,
    reservation_id: int,
    owner: str,
    now: datetime,
    until: datetime,
) -> bool:
    return (
        conn.execute(
            update(reservations)
            .where(
                reservations.c.id == reservation_id,
                reservations.c.campaign_id == campaign_id,
                reservations.c.state == CALLING,
                reservations.c.lease_owner == owner,
                reservations.c.lease_until >= now,
            )
            .values(lease_until=until)
        ).rowcount
        == 1
    )
