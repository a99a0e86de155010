"""Seen signatures: a data-changing request's signature is accepted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from .schema import seen_signatures


def record_signature(conn: Connection, signature: str, expires_at: datetime) -> bool:
    """Record a signature; False when it was already recorded (a replay).

    PostgreSQL: committed without waiting for its WAL flush. The request's own data change
    commits after it, synchronously, which flushes the WAL up to that point, this record
    included; so a record can only be lost in a crash together with nothing it guarded.
    """
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    if dialect is postgresql:
        conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    inserted = conn.execute(
        dialect.insert(seen_signatures)
        .values(signature=signature, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["signature"])
        .returning(seen_signatures.c.signature)
    ).first()
    return inserted is not None


def forget_expired(conn: Connection, now: datetime) -> int:
    return conn.execute(delete(seen_signatures).where(seen_signatures.c.expires_at < now)).rowcount
