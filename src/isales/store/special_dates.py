"""Special dates (holidays) of campaigns."""

from __future__ import annotations

from sqlalchemy import Connection, select

from .schema import special_dates


def list_for_campaign(conn: Connection, campaign_id: int) -> list[dict]:
    rows = conn.execute(
        select(special_dates)
        .where(special_dates.c.campaign_id == campaign_id)
        .order_by(special_dates.c.id)
    ).mappings()
    return [dict(row) for row in rows]
