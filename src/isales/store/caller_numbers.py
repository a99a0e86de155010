"""A campaign's calling numbers (``campaigns.caller_no``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, update

from ..errors import StoreFailure
from .schema import campaigns


def set_caller_numbers(
    conn: Connection, vdn_id: int, campaign_id: int, caller_no: list[dict[str, Any]], now: datetime
) -> None:
    """Replace the list; the caller holds the campaign row lock (read-modify-write)."""
    result = conn.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id, campaigns.c.vdn_id == vdn_id)
        .values(caller_no=caller_no, updated_at=now)
    )
    if result.rowcount != 1:
        raise StoreFailure("the campaign row vanished under its own lock")
