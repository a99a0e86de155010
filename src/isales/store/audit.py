"""The audit log (docs/api.md#audit-log): append within the caller's transaction, read.

``record`` is the one way to write an entry: call it inside the transaction of the change
it records, so the entry is committed exactly when the change is. Appends are serialised
(PostgreSQL: a transaction-level advisory lock; SQLite: its single writer), so the chain
has one order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from ..domain.audit import GENESIS, canonical_detail, canonical_entry, chain_hash
from .schema import audit_log

#: pg_advisory_xact_lock key of the audit chain ("audt")
_CHAIN_LOCK = 0x61756474
#: built once: every audited change runs them (docs/architecture.md#transactions)
_LOCK_CHAIN = text("SELECT pg_advisory_xact_lock(:key)")
_LAST = select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
_APPEND = insert(audit_log)


def record(
    conn: Connection,
    *,
    actor: str,
    operation: str,
    vdn: int | None,
    request_id: str | None,
    detail: dict[str, Any],
    at: datetime | None = None,
) -> int:
    """Append one entry; returns its id. ``actor`` is an access key or a console user."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK_CHAIN, {"key": _CHAIN_LOCK})
    last = conn.execute(_LAST).first()
    entry_id, prev_hash = (last.id + 1, last.hash) if last else (1, GENESIS)
    at = at or datetime.now(UTC).replace(tzinfo=None)
    detail_text = canonical_detail(detail)
    canonical = canonical_entry(entry_id, at, vdn, actor, operation, request_id, detail_text)
    conn.execute(
        _APPEND,
        {
            "id": entry_id,
            "at": at,
            "vdn_id": vdn,
            "actor": actor,
            "operation": operation,
            "request_id": request_id,
            "detail": detail_text,
            "prev_hash": prev_hash,
            "hash": chain_hash(prev_hash, canonical),
        },
    )
    return entry_id


def entries(
    conn: Connection, vdn_id: int | None = None, since: datetime | None = None
) -> list[dict[str, Any]]:
    """Entries, oldest first."""
    query = select(audit_log).order_by(audit_log.c.id)
    if vdn_id is not None:
        query = query.where(audit_log.c.vdn_id == vdn_id)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    return [dict(row) for row in conn.execute(query).mappings()]


def all_entries(conn: Connection, batch: int = 10_000) -> Iterator[list[dict[str, Any]]]:
    """The whole log in id order, a batch at a time (verification)."""
    after = 0
    while True:
        query = select(audit_log).where(audit_log.c.id > after).order_by(audit_log.c.id)
        rows = [dict(row) for row in conn.execute(query.limit(batch)).mappings()]
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]
