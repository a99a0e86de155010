"""Seen signatures: a data-changing request's signature is accepted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, text
from sqlalchemy.dialects import postgresql, sqlite

from .keys import active_secret
from .schema import seen_signatures

#: PostgreSQL: whether the key is active and whether the signature is new, in one round trip
#: (the record is made only for an active key)
_RECORD_FOR_ACTIVE_KEY = text(
    "WITH active AS (SELECT 1 FROM access_keys WHERE access_key = :access_key"
    " AND revoked_at IS NULL),"
    " recorded AS (INSERT INTO seen_signatures (signature, expires_at)"
    " SELECT :signature, :expires_at WHERE EXISTS (SELECT 1 FROM active)"
    " ON CONFLICT (signature) DO NOTHING RETURNING 1)"
    " SELECT EXISTS (SELECT 1 FROM active) AS active, EXISTS (SELECT 1 FROM recorded) AS fresh"
)


def record_for_active_key(
    conn: Connection, access_key: str, signature: str, expires_at: datetime
) -> tuple[bool, bool]:
    """(the key is active, its signature was new and is now recorded): what a
    data-changing request's first write transaction checks (``services.access.RequestGuard``).
    Nothing is recorded for a key that is not active."""
    if conn.dialect.name == "postgresql":
        row = conn.execute(
            _RECORD_FOR_ACTIVE_KEY,
            {"access_key": access_key, "signature": signature, "expires_at": expires_at},
        ).one()
        return bool(row.active), bool(row.fresh)
    if active_secret(conn, access_key) is None:
        return False, False
    return True, record_signature(conn, signature, expires_at)


def record_signature(conn: Connection, signature: str, expires_at: datetime) -> bool:
    """Record a signature; False when it was already recorded (a replay).

    It is written in the request's own transaction (``services.access.RequestGuard``), so
    it commits with the change it guards, durably like it; a second transaction recording
    the same signature waits for the first (the primary key) and then finds it there.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    inserted = conn.execute(
        dialect.insert(seen_signatures)
        .values(signature=signature, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["signature"])
        .returning(seen_signatures.c.signature)
    ).first()
    return inserted is not None


def forget_expired(conn: Connection, now: datetime) -> int:
    return conn.execute(delete(seen_signatures).where(seen_signatures.c.expires_at < now)).rowcount
