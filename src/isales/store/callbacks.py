"""The result-callback outbox: rows written with the result, delivered later, at least once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from .schema import callback_outbox


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
