"""Erasure suppressions and the server secret that keys their hashes."""

from __future__ import annotations

import secrets
import weakref
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from ..domain.suppression import number_hash
from .conflict import insert_ignoring_conflict
from .schema import server_secrets, suppressions

_SECRET_NAME = "suppression"
_SECRET = select(server_secrets.c.value).where(server_secrets.c.name == _SECRET_NAME)


#: the secret once read, per engine (a store): it never changes once made, and every audited
#: delete hashes its filter with it (one round trip less per delete)
_READ: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def hasher(conn: Connection, now: datetime) -> Callable[[str], str]:
    """The keyed hash of this store; its secret is made on first use and never changes."""
    secret = _READ.get(conn.engine)
    if secret is None:
        secret = conn.execute(_SECRET).scalar_one_or_none()
        if secret is None:
            insert_ignoring_conflict(
                conn,
                server_secrets,
                {"name": _SECRET_NAME, "value": secrets.token_hex(32), "created_at": now},
            )
            # remembered only once another transaction could see it (this one may roll back)
            return _keyed(conn.execute(_SECRET).scalar_one())
        _READ[conn.engine] = secret
    return _keyed(secret)


def _keyed(secret: str) -> Callable[[str], str]:
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
