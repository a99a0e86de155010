"""Idempotency keys (docs/api.md, "Idempotency keys"): one row per (access key, key).

The row is inserted *before* the request runs, in state ``running`` with a random owner
token: the primary key lets exactly one of several concurrent duplicates insert it. The
owner then stores the answer (``done``); the others read it. Every change is guarded by
the owner token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, or_, select, update

from ..domain.idempotency import KeyState
from .conflict import insert_ignoring_conflict
from .schema import idempotency_keys


def _key(access_key: str, key: str) -> tuple[Any, ...]:
    return (idempotency_keys.c.access_key == access_key, idempotency_keys.c.key == key)


def claim(conn: Connection, values: dict[str, Any]) -> bool:
    """Insert the running row; False when the key already has one."""
    return insert_ignoring_conflict(conn, idempotency_keys, {**values, "state": KeyState.RUNNING})


def get(conn: Connection, access_key: str, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(idempotency_keys).where(*_key(access_key, key))).mappings().first()
    return dict(row) if row else None


def take_over(
    conn: Connection,
    access_key: str,
    key: str,
    old_owner: str,
    now: datetime,
    values: dict[str, Any],
) -> bool:
    """Replace a row that expired, or whose runner's lease lapsed (its server died).

    The lapse is re-checked by the ``UPDATE`` itself: a renewal that committed after the
    row was read keeps the key with its runner."""
    row = idempotency_keys.c
    lapsed = or_(row.expires_at <= now, and_(row.state == KeyState.RUNNING, row.lease_until < now))
    changed = conn.execute(
        update(idempotency_keys)
        .where(*_key(access_key, key), row.owner == old_owner, lapsed)
        .values(
            **values,
            state=KeyState.RUNNING,
            response_status=None,
            response_type=None,
            response_body=None,
        )
    ).rowcount
    return changed == 1


def renew(conn: Connection, held: list[tuple[str, str, str]], lease_until: datetime) -> None:
    """The heartbeat: extend the leases of the keys (access key, key, owner) still held."""
    for access_key, key, owner in held:  # by primary key: the few requests running now
        conn.execute(
            update(idempotency_keys)
            .where(
                *_key(access_key, key),
                idempotency_keys.c.owner == owner,
                idempotency_keys.c.state == KeyState.RUNNING,
            )
            .values(lease_until=lease_until)
        )


def complete(
    conn: Connection, access_key: str, key: str, owner: str, status: int, media: str, body: str
) -> bool:
    changed = conn.execute(
        update(idempotency_keys)
        .where(
            *_key(access_key, key),
            idempotency_keys.c.owner == owner,
            idempotency_keys.c.state == KeyState.RUNNING,
        )
        .values(
            state=KeyState.DONE,
            response_status=status,
            response_type=media,
            response_body=body,
        )
    ).rowcount
    return changed == 1


def release(conn: Connection, access_key: str, key: str, owner: str) -> None:
    conn.execute(
        delete(idempotency_keys).where(
            *_key(access_key, key),
            idempotency_keys.c.owner == owner,
            idempotency_keys.c.state == KeyState.RUNNING,
        )
    )


def purge_expired(conn: Connection, now: datetime, batch: int) -> int:
    expired = (
        select(idempotency_keys.c.access_key, idempotency_keys.c.key)
        .where(idempotency_keys.c.expires_at <= now)
        .limit(batch)
    )
    keys = conn.execute(expired).all()
    removed = 0
    for access_key, key in keys:
        removed += conn.execute(delete(idempotency_keys).where(*_key(access_key, key))).rowcount
    return removed
