"""The audit log's hash chain (docs/api.md#audit-log): pure functions, no store.

Each entry's hash is SHA-256 of the previous entry's hash followed by the canonical JSON
of the entry itself, so editing, deleting or reordering any entry breaks every hash after
it. The first entry chains from ``GENESIS``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def canonical_detail(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_entry(
    entry_id: int,
    at: datetime,
    vdn_id: int | None,
    actor: str,
    operation: str,
    request_id: str | None,
    detail: str,
) -> str:
    """The bytes the hash covers; ``detail`` is already canonical JSON text."""
    return json.dumps(
        {
            "id": entry_id,
            "at": at.isoformat(),
            "vdnId": vdn_id,
            "actor": actor,
            "operation": operation,
            "requestId": request_id,
            "detail": detail,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def entry_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash a stored row (an ``audit_log`` mapping) must carry after ``prev_hash``."""
    canonical = canonical_entry(
        row["id"],
        row["at"],
        row["vdn_id"],
        row["actor"],
        row["operation"],
        row["request_id"],
        row["detail"],
    )
    return chain_hash(prev_hash, canonical)


def verify_chain(rows: Iterable[dict[str, Any]]) -> tuple[int, int | None]:
    """(entries checked, id of the first entry that breaks the chain or None); id order."""
    previous, checked = GENESIS, 0
    for row in rows:
        if row["prev_hash"] != previous or row["hash"] != entry_hash(previous, row):
            return checked, row["id"]
        previous = row["hash"]
        checked += 1
    return checked, None
