"""Seen signatures: a data-changing request's signature is accepted once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete
from sqlalchemy.dialects import postgresql, sqlite

from .schema import seen_signatures


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
