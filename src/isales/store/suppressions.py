"""Erasure suppressions and the server secret that keys their hashes."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, select

from ..domain.suppression import number_hash
from .conflict import insert_ignoring_conflict
from .schema import server_secrets, suppressions

_SECRET_NAME = "suppression"
_SECRET = select(server_secrets.c.value).where(server_secrets.c.name == _SECRET_NAME)


def hasher(conn: Connection, now: datetime) -> Callable[[str], str]:
    """The keyed hash of this store; its secret is made on first use and never changes."""
    query = _SECRET
    secret = conn.execute(query).scalar_one_or_none()
    if secret is None:
        insert_ignoring_conflict(
            conn,
            server_secrets,
            {"name": _SECRET_NAME, "value": secrets.token_hex(32), "created_at": now},
        )
        secret = conn.execute(query).scalar_one()
    return lambda number: number_hash(secret, number)


def suppressed(conn: Connection, vdn_id: int, numbers_: list[str], now: datetime) -> list[str]:
    """The numbers of ``numbers_`` that were erased in this VDN."""
    if not numbers_ or not _any_in(conn, vdn_id):
        return []
    keyed = hasher(conn, now)
    by_hash = {keyed(number): number for number in numbers_}
    hashes = list(by_hash)
    found: set[str] = set()
    for start in range(0, len(hashes), 1000):
        found.update(
            conn.execute(
                select(suppressions.c.number_hash).where(
                    suppressions.c.vdn_id == vdn_id,
                    suppressions.c.number_hash.in_(hashes[start : start + 1000]),
                )
            ).scalars()
        )
    return sorted(by_hash[h] for h in found)


def _any_in(conn: Connection, vdn_id: int) -> bool:
    """Cheap first look: most VDNs never had an erasure, and adds are frequent."""
    query = select(suppressions.c.vdn_id).where(suppressions.c.vdn_id == vdn_id).limit(1)
    return conn.execute(query).first() is not None


def suppress(conn: Connection, vdn_id: int, hashed: str, erasure_id: str, now: datetime) -> None:
    insert_ignoring_conflict(
        conn,
        suppressions,
        {"vdn_id": vdn_id, "number_hash": hashed, "erasure_id": erasure_id, "created_at": now},
    )
