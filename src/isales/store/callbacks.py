"""The result-callback outbox: rows written with the result, delivered later, at least once.

A row is due while ``next_attempt_at <= now``. A deliverer leases it by moving
``next_attempt_at`` forward (so nobody else takes it meanwhile, and a deliverer that dies
leaves it due again when the lease ends), pushes, then records the round guarded by the
lease it took: a round whose lease was taken over by someone else changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from .schema import callback_outbox
from .tasks import Row, lease_one


def enqueue(
    conn: Connection, campaign_id: int, vdn_id: int, url: str, payload: Any, now: datetime
) -> None:
    """Queue one push, in the transaction that recorded the result (so none is lost)."""
    conn.execute(
        insert(callback_outbox).values(
            campaign_id=campaign_id,
            vdn_id=vdn_id,
            url=url,
            payload=payload,
            pushes=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def lease_next_due(
    conn: Connection,
    now: datetime,
    lease_until: datetime,
    url: str | None = None,
    skip: Mapping[str, Collection[Any]] | None = None,
) -> Row | None:
    """Lease the first due row (due order, then age; of ``url`` if given; not of the
    ``skip`` values, see ``store/tasks.py``): its ``next_attempt_at`` becomes
    ``lease_until``. None when nothing is due."""
    due = [callback_outbox.c.next_attempt_at <= now]
    if url is not None:
        due.append(callback_outbox.c.url == url)
    order = [callback_outbox.c.next_attempt_at, callback_outbox.c.id]
    lease = {"next_attempt_at": lease_until}
    return lease_one(conn, callback_outbox, due, order, lease, skip=skip)


def record_push(conn: Connection, leased: Row, values: dict[str, Any]) -> bool:
    """Guarded: count one push of a row still under the lease ``leased`` took.

    False (nothing changed) when the lease was lost: the row was leased again after ours
    ran out, or already finished.
    """
    result = conn.execute(
        update(callback_outbox)
        .where(
            callback_outbox.c.id == leased["id"],
            callback_outbox.c.next_attempt_at == leased["next_attempt_at"],
            callback_outbox.c.pushes == leased["pushes"],
        )
        .values(pushes=callback_outbox.c.pushes + 1, **values)
    )
    return result.rowcount == 1


def waiting(conn: Connection) -> tuple[int, datetime | None]:
    """How many rows wait for delivery (not delivered, not given up), and the oldest's time."""
    row = conn.execute(
        select(func.count(), func.min(callback_outbox.c.created_at)).where(
            callback_outbox.c.next_attempt_at.is_not(None)
        )
    ).one()
    return row[0], row[1]
